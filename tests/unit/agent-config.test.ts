import t from 'tap';
import { parseAgentConfig } from '../../agent/config/load-config.js';

const minimal = 'device:\n  id: drive-1\n  site: plant-a\n  model: VFD-4000\n  firmware: "2.3.1"\nmodbus:\n  host: 10.0.0.5\n';

t.test('a minimal config gets documented defaults', async (t) => {
  const c = parseAgentConfig(minimal);
  t.equal(c.mqtt.url, 'mqtt://127.0.0.1:1883');
  t.equal(c.mqtt.protocolVersion, 4);
  t.equal(c.modbus?.port, 502);
  t.equal(c.modbus?.pollIntervalMs, 1000);
  t.equal(c.modbus?.maxRegistersPerRequest, 125);
  t.equal(c.system.enabled, true);
  t.equal(c.detection.preFaultWindowS, 30);
});

t.test('every problem is reported with its key, line and a fix', async (t) => {
  const bad = 'device:\n  id: "no spaces allowed"\n  site: plant-a\n  model: VFD-4000\nmodbus:\n  host: 10.0.0.5\n  prot: 502\n  port: 70000\nmqtt:\n  protocolVersion: 3\n';
  const err = t.throws(() => parseAgentConfig(bad, 'agent.yaml'), { code: 'FL_ERR_CONFIG_INVALID' }) as Error;
  const msg = err.message;
  t.match(msg, /agent\.yaml:2: device\.id: must match pattern/);
  t.match(msg, /device\.firmware: missing required key "firmware"\. Fix: add device\.firmware/);
  t.match(msg, /agent\.yaml:7: modbus\.prot: unknown key "prot"\. Fix: remove it, or use one of: host, port/);
  t.match(msg, /agent\.yaml:8: modbus\.port: must be <= 65535/);
  t.match(msg, /mqtt\.protocolVersion/);
});

t.test('broken YAML names the line', async (t) => {
  t.throws(() => parseAgentConfig('device: [\n  id: x\n', 'a.yaml'), { code: 'FL_ERR_CONFIG_YAML', message: /a\.yaml:\d+:/ });
  t.throws(() => parseAgentConfig('', 'empty.yaml'), { code: 'FL_ERR_CONFIG_INVALID', message: /missing required key "device"/ });
});
