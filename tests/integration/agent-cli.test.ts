/** The agent CLI refuses a bad config with an error that names the key, and `agent check` describes a good one. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
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
  t.match(res.stderr, /bad\.yaml:8: devices\.0\.modbus\.port: must be integer\. Fix: set devices\.0\.modbus\.port to a TCP port, 1-65535/);

  const missing = await run(['agent', 'check', '--config', join(dir.path, 'nope.yaml')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /cannot read config file .*nope\.yaml/);

  const usage = await run(['agent']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--config FILE is required/);
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
