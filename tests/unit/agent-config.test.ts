import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { resolveAdapter } from '../../agent/agent.js';
import { loadAgentSetup } from '../../agent/config/config-loader.js';
import { parseAgentConfig } from '../../agent/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const minimal = 'devices:\n  - id: drive-1\n    site: plant-a\n    model: VFD-4000\n    firmware: "2.3.1"\n    modbus:\n      host: 10.0.0.5\n';

t.test('a minimal config gets documented defaults', async (t) => {
  const c = parseAgentConfig(minimal);
  const d = c.devices[0]!;
  t.equal(c.mqtt.url, 'mqtt://127.0.0.1:1883');
  t.equal(c.mqtt.protocolVersion, 4);
  t.equal(d.modbus?.transport, 'tcp');
  t.equal(d.modbus?.port, 502);
  t.same(d.modbus?.intervals, { fast: 250, normal: 1000, slow: 10000 });
  t.equal(d.modbus?.maxRegistersPerRequest, 125);
  t.equal(d.modbus?.retries, 1);
  t.equal(d.system.enabled, false);
  t.equal(c.detection.preFaultWindowS, 30);
});

t.test('every problem is reported with its key, line and a fix', async (t) => {
  const bad = [
    'devices:',
    '  - id: "no spaces allowed"',
    '    site: plant-a',
    '    model: VFD-4000',
    '    modbus:',
    '      host: 10.0.0.5',
    '      prot: 502',
    '      port: 70000',
    'mqtt:',
    '  protocolVersion: 3',
  ].join('\n');
  const err = t.throws(() => parseAgentConfig(bad, 'agent.yaml'), { code: 'FL_ERR_CONFIG_INVALID' }) as Error;
  const msg = err.message;
  t.match(msg, /agent\.yaml:2:9: devices\.0\.id: must match pattern/, 'line and column');
  t.match(msg, /devices\.0\.firmware: missing required key "firmware"\. Fix: add devices\.0\.firmware/);
  t.match(msg, /agent\.yaml:7:\d+: devices\.0\.modbus\.prot: unknown key "prot"\. Fix: remove it, or use one of: transport, host, port/);
  t.match(msg, /agent\.yaml:8:13: devices\.0\.modbus\.port: must be <= 65535/);
  t.match(msg, /mqtt\.protocolVersion/);
});

t.test('rules across keys: unique devices, what each transport needs, one serial setting per line', async (t) => {
  const dev = (id: string, modbus: string) => `  - id: ${id}\n    site: s\n    model: VFD-4000\n    firmware: "2.0"\n    modbus: ${modbus}\n`;
  const text = 'devices:\n'
    + dev('a', '{ transport: rtu }')
    + dev('a', '{ transport: tcp }')
    + dev('c', '{ transport: rtu, path: /dev/ttyS0, baudRate: 9600, unitId: 2 }')
    + dev('d', '{ transport: rtu, path: /dev/ttyS0, baudRate: 19200, unitId: 2 }');
  const err = t.throws(() => parseAgentConfig(text, 'multi.yaml'), { code: 'FL_ERR_CONFIG_INVALID' }) as Error;
  t.match(err.message, /devices\.0\.modbus: transport rtu needs a serial port\. Fix: add devices\.0\.modbus\.path/);
  t.match(err.message, /devices\.1\.id: device s\/a is already defined as devices\.0/);
  t.match(err.message, /devices\.1\.modbus: transport tcp needs a host/);
  t.match(err.message, /devices\.3\.modbus\.unitId: unit id 2 on rtu:\/dev\/ttyS0 is already used by devices\.2/);
  t.match(err.message, /devices\.3\.modbus: serial settings 19200 8E1 differ from devices\.2 \(9600 8E1\)/);
});

t.test('broken YAML names the line', async (t) => {
  t.throws(() => parseAgentConfig('devices: [\n  id: x\n', 'a.yaml'), { code: 'FL_ERR_CONFIG_YAML', message: /a\.yaml:\d+:/ });
  t.throws(() => parseAgentConfig('', 'empty.yaml'), { code: 'FL_ERR_CONFIG_INVALID', message: /missing required key "devices"/ });
});

t.test('one run shows every config error, each with file:line:col; an unknown model names the device, the known models and the nearest match (issue #14 item 7)', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'agent.yaml');
  writeFileSync(file, [
    'devices:',
    '  - id: drive-1',
    '    site: plant',
    '    model: VFD-400',
    '    firmware: "2.3.1"',
    '    modbus: { host: 10.0.0.5, port: 70000 }',
    '  - id: drive-1',
    '    site: plant',
    '    model: VFD-4000',
    '    firmware: "9.0"',
    '    modbus: { host: 10.0.0.6 }',
    '  - id: meter-1',
    '    site: plant',
    '    model: EM-3P40',
    '    firmware: "1.2"',
    '    adapter: three-phase-metr',
    '',
  ].join('\n'));
  const setup = loadAgentSetup(file);
  if (!('problem' in setup)) { t.fail('the config was accepted'); return; }
  const text = setup.problem;
  t.match(text, /agent\.yaml:6:\d+: devices\.0\.modbus\.port: must be <= 65535/, 'a schema error, with line and column');
  t.match(text, /agent\.yaml:7:\d+: devices\.1\.id: device plant\/drive-1 is already defined as devices\.0/, 'the duplicate id in the same run');
  t.match(text, /agent\.yaml:4:12: devices\.0\.model: device plant\/drive-1: no adapter matches model "VFD-400" firmware "2\.3\.1"/, 'the unknown model: file:line:col and the device');
  t.match(text, /known models: .*generic-vfd \(\^VFD-\\d\{4\}\$\)/, 'the known models');
  t.match(text, /nearest: generic-vfd/, 'and the nearest match');
  t.match(text, /agent\.yaml:10:\d+: devices\.1\.firmware: device plant\/drive-1: model "VFD-4000" is generic-vfd's, but firmware "9\.0" does not match \^\[1-3\]\\\./, 'a firmware the adapter does not cover');
  t.match(text, /agent\.yaml:16:\d+: devices\.2\.adapter: device plant\/meter-1: no adapter "three-phase-metr".*did you mean three-phase-meter/, 'an adapter id typo');
});

t.test('an inline register map for a device without an adapter file, validated like adapters, problems at their place', async (t) => {
  const device = [
    'devices:',
    '  - id: boiler-1',
    '    site: plant',
    '    model: HOMEMADE-1',
    '    firmware: "1"',
    '    modbus: { host: 10.0.0.9, unitId: 4 }',
    '    registers:',
    '      - { name: water_temperature, table: input, address: 0, type: int16, scale: 0.1, unit: "°C", description: Water temperature }',
    '      - { name: burner_hours, table: input, address: 1, type: uint32, wordOrder: little, unit: h, description: Burner hours }',
    '    thresholds:',
    '      - { code: boiler.water_hot, parameter: water_temperature, direction: above, limit: 95, deadband: 3, onDelayMs: 0, offDelayMs: 0,',
    '          category: hardware, severity: major, message: Water above 95 °C, remedy: Check the burner control., related: [water_temperature] }',
  ];
  const c = parseAgentConfig(device.join('\n'), 'boiler.yaml', () => []);
  const adapter = resolveAdapter(c.devices[0]!);
  t.equal(adapter.id, 'inline-plant-boiler-1');
  t.equal(adapter.unitId, 4);
  t.same(adapter.registers.map((r) => `${r.name}:${r.type}`), ['water_temperature:int16', 'burner_hours:uint32']);
  t.equal(adapter.thresholds[0]?.code, 'boiler.water_hot');

  const bad = [...device];
  bad[8] = '      - { name: burner_hours, table: input, address: 0, type: uint33, unit: h, description: Burner hours }';
  bad[11] = '          category: hardware, severity: major, message: Water above 95 °C, remedy: Check the burner control., related: [nope] }';
  const err = t.throws(() => parseAgentConfig(bad.join('\n'), 'boiler.yaml', () => []), { code: 'FL_ERR_CONFIG_INVALID' }) as Error;
  t.match(err.message, /boiler\.yaml:9:\d+: devices\.0\.registers\.1\.type: device plant\/boiler-1: must be one of/, 'a bad type, at its line');
  const overlapping = [...device];
  overlapping[8] = '      - { name: burner_hours, table: input, address: 0, type: uint32, unit: h, description: Burner hours }';
  t.throws(() => parseAgentConfig(overlapping.join('\n'), 'boiler.yaml', () => []), { message: /boiler\.yaml:9:\d+: devices\.0\.registers\.1\.address: device plant\/boiler-1: overlaps register "water_temperature"/ }, 'overlapping registers');
  t.match(err.message, /devices\.0\.thresholds\.0\.related.*nope/, 'a rule naming a register that does not exist');
  t.notMatch(err.message, /no adapter matches model "HOMEMADE-1"/, 'no model lookup for a device with its own map');
});

t.test('delivery: receipts on by default with a bounded resend; a resend ceiling below the timeout is an error at its line', async (t) => {
  t.same(parseAgentConfig(minimal).delivery, { receipts: true, receiptTimeoutMs: 30000, maxResendIntervalMs: 300000 });
  const off = parseAgentConfig(`${minimal}delivery:\n  receipts: false\n`);
  t.equal(off.delivery.receipts, false);
  const text = `${minimal}delivery:\n  receiptTimeoutMs: 5000\n  maxResendIntervalMs: 1000\n`;
  const err = t.throws(() => parseAgentConfig(text, 'agent.yaml'), { code: 'FL_ERR_CONFIG_INVALID' }) as Error;
  t.match(err.message, /agent\.yaml:10:\d+: delivery\.maxResendIntervalMs: must be at least delivery\.receiptTimeoutMs \(5000\)/);
  t.throws(() => parseAgentConfig(`${minimal}delivery:\n  receiptTimeoutMs: 10\n`, 'agent.yaml'), { code: 'FL_ERR_CONFIG_INVALID', message: /delivery\.receiptTimeoutMs/ });
  t.throws(() => parseAgentConfig(`${minimal}delivery:\n  recepits: true\n`, 'agent.yaml'), { code: 'FL_ERR_CONFIG_INVALID', message: /recepits/ }, 'a typo is an error, not a silent default');
});
