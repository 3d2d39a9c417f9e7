/** The agent CLI refuses a bad config with an error that names the key, and `agent check` describes a good one. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startCollectorWithDrive } from '../helpers/collector-with-drive.js';
import { tempDir } from '../helpers/temp-dir.js';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

t.test('agent check', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const good = join(dir.path, 'good.yaml');
  writeFileSync(good, 'devices:\n  - id: drive-1\n    site: plant-a\n    model: VFD-4000\n    firmware: "2.3.1"\n    modbus:\n      host: 127.0.0.1\n      port: 5020\n');
  const ok = await run(['agent', 'check', '--config', good]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /adapter generic-vfd/);
  t.match(ok.stdout, /every 1000 ms read holding 0\.\.9: output_frequency/, 'shows the coalesced read plan');
  t.match(ok.stdout, /config OK/);

  const bad = join(dir.path, 'bad.yaml');
  writeFileSync(bad, 'devices:\n  - id: drive-1\n    site: plant-a\n    model: VFD-4000\n    firmware: "2.3.1"\n    modbus:\n      host: 127.0.0.1\n      port: "five"\n');
  const res = await run(['agent', '--config', bad]);
  t.equal(res.code, 1, 'a bad config exits 1 without starting');
  t.match(res.stderr, /bad\.yaml:8:\d+: devices\.0\.modbus\.port: must be integer\. Fix: set devices\.0\.modbus\.port to a TCP port, 1-65535/);

  const missing = await run(['agent', 'check', '--config', join(dir.path, 'nope.yaml')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /cannot read config file .*nope\.yaml/);

  const usage = await run(['agent']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--config FILE is required/);
});

t.test('an adapter added as a YAML file, without code', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const adapterFile = join(dir.path, 'acme-pump.yaml');
  writeFileSync(adapterFile, [
    'id: acme-pump', 'vendor: ACME', 'description: ACME booster pump controller', 'match: { model: "^AP-[0-9]+$" }', 'unitId: 3',
    'registers:',
    '  - { name: pressure, table: input, address: 0, type: int16, scale: 0.01, unit: bar, description: Outlet pressure }',
    '  - { name: alarm_word, table: input, address: 1, type: bitfield, unit: "", description: Alarm bits }',
    'faultTables:',
    '  - register: alarm_word', '    kind: bitfield', '    related: [pressure]',
    '    unknown: { category: hardware, severity: minor, remedy: "See the ACME manual." }',
    '    codes:',
    '      0: { code: pump.dry_run, category: hardware, severity: major, message: Dry running, remedy: "Check the suction side and the tank level." }',
    'thresholds: []', 'knowledge: []',
    'simulation: { signals: { pressure: { base: 4, amplitude: 0.2, periodS: 10, noise: 0.01 } }, faultEffects: {} }',
  ].join('\n'));
  const config = join(dir.path, 'pump.yaml');
  writeFileSync(config, `adapterFiles: [${adapterFile}]\ndevices:\n  - id: pump-1\n    site: s\n    model: AP-200\n    firmware: "1"\n    modbus: { host: 127.0.0.1 }\n`);
  const ok = await run(['agent', 'check', '--config', config]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /model AP-200 firmware 1 -> adapter acme-pump/);
  t.match(ok.stdout, /read input 0\.\.1: pressure, alarm_word/);

  writeFileSync(adapterFile, 'id: Bad Id\nregisters: [{ name: x, table: holding, address: 0, type: int17 }]\n');
  const bad = await run(['agent', 'check', '--config', config]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /acme-pump\.yaml: id: must match/);
  t.match(bad.stderr, /acme-pump\.yaml: registers\[0\]\.type: must be one of/);
});

t.test('every subcommand has --help', async (t) => {
  for (const cmd of ['collector', 'agent', 'simulate', 'demo']) {
    const res = await run([cmd, '--help']);
    t.equal(res.code, 0, `${cmd} --help exits 0`);
    t.match(res.stdout, /Usage/, `${cmd} --help prints usage`);
  }
  const top = await run(['--help']);
  t.match(top.stdout, /collector.*\n.*agent.*\n.*simulate.*\n.*demo/s);
  t.equal((await run(['frobnicate'])).code, 2);
});

t.test('agent check --probe reads every register once and tries the broker; exit 1 on any failure', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  const file = join(dir.path, 'probe.yaml');
  writeFileSync(file, [
    `mqtt: { url: "${collector.mqttUrl}" }`,
    'devices:',
    `  - { id: drive-1, site: plant, model: VFD-4000, firmware: "2.3.1", modbus: { host: 127.0.0.1, port: ${sim.port}, timeoutMs: 500 } }`,
  ].join('\n'));
  const good = await run(['agent', 'check', '--probe', '--config', file]);
  t.equal(good.code, 0, good.stdout + good.stderr);
  t.match(good.stdout, /modbus tcp:\/\/127\.0\.0\.1:\d+ unit 1: 10 of 10 registers good/);
  t.match(good.stdout, /parameter\s+register\s+raw\s+value\s+unit\s+quality\s+exception\s+ms/, 'a table with a header');
  t.match(good.stdout, /run_hours\s+holding 8\s+0x\w{4} 0x\w{4}\s+12850\s+h\s+good/, 'raw words and the decoded value');
  t.match(good.stdout, /broker mqtt:\/\/127\.0\.0\.1:\d+: connected/);
  t.match(good.stdout, /subscribe rpc\/req: granted/);
  t.match(good.stdout, /probe OK/);

  sim.model.refuse('holding', 257, 2);
  const bad = await run(['agent', 'check', '--probe', '--config', file]);
  t.equal(bad.code, 1, 'a register the device refuses fails the probe');
  t.match(bad.stdout, /accel_time\s+holding 257\s+-\s+-\s+s\s+bad: exception\s+02/, 'the exception, per register');
  t.match(bad.stdout, /9 of 10 registers good/);
  t.match(bad.stdout, /probe FAILED/);

  await sim.stop();
  await collector.stop();
  const down = await run(['agent', 'check', '--probe', '--config', file]);
  t.equal(down.code, 1);
  t.match(down.stdout, /output_frequency\s+holding 0\s+-\s+-\s+Hz\s+bad: (link|timeout)/, 'an unreachable device, per register');
  t.match(down.stdout, /broker mqtt:\/\/127\.0\.0\.1:\d+: FAILED/, 'an unreachable broker');
});
