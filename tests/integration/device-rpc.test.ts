/**
 * Engineers pull live parameters, over real sockets: collector (embedded broker, RPC client, HTTP
 * API) → a real agent with its own password and write key → a simulated drive on Modbus TCP.
 */
import mqtt from 'mqtt';
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { openTestDatabase } from '../helpers/test-database.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { waitFor } from '../helpers/wait.js';
import { callJson } from '../helpers/json-call.js';
import { startLoopbackCollector } from '../helpers/collector-with-drive.js';

/** The parts of the JSON replies this test reads. */
interface Body {
  online: boolean;
  catalogue: Array<{ name: string; unit: string; writable: boolean; min?: number; max?: number }>;
  values: Array<{ name: string; value: number; unit: string }>;
  requestedAtMs: number;
  answeredAtMs: number;
  lines: string[];
  records: Array<{ action: string; actor: { kind: string; id: string; via?: string }; details: Record<string, unknown> }>;
  username: string;
  password: string;
  writeKey: string;
  error: { code: string; message: string; problems?: string[] };
  deviceRequests: { pending: number; sent: number; answered: number; offline: number; timeouts: number };
}

t.test('live reads, describe, logs and signed writes through the API; offline and timeout errors', async (t) => {
  const { dir, collector } = await startLoopbackCollector(t);
  const lena = await apiCallerIn(dir.path, 'engineer', 'lena');
  const admin = await apiCallerIn(dir.path, 'admin', 'root');
  const api = (method: string, path: string, body?: unknown, as = lena) => callJson<Body>(collector.httpUrl, as, method, path, body);

  const issued = await api('POST', '/api/admin/devices', { site: 'plant-a', device: 'drive-7' }, admin);
  t.equal(issued.status, 200, JSON.stringify(issued.body));
  const { username, password, writeKey } = issued.body;

  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl, reconnect: { minMs: 200, maxMs: 1000 } },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-7', site: 'plant-a', model: 'VFD-4000', firmware: '2.3.1', username, password, writeKey,
      modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 }, timeoutMs: 500 },
    }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  let agentStopped = false;
  t.teardown(() => (agentStopped ? undefined : agent.stop()));

  const device = await waitFor('the device online with its catalogue', async () => {
    const r = await api('GET', '/api/devices/plant-a/drive-7');
    return r.status === 200 && r.body.online === true && r.body.catalogue.length > 0 ? r.body : undefined;
  });
  t.match(device, { birth: { adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1' }, writeKey: true });
  t.match(device.catalogue.find((p) => p.name === 'frequency_setpoint'), { unit: 'Hz', writable: true, min: 0, max: 120 }, 'with its write range, from the birth');
  t.match(device.catalogue.find((p) => p.name === 'motor_current'), { unit: 'A', writable: false });

  await t.test('a live read is fresh: it follows the simulated register', async (t) => {
    sim.model.force('heatsink_temperature', 40);
    const first = await api('POST', '/api/devices/plant-a/drive-7/live', { names: ['heatsink_temperature'] });
    t.equal(first.status, 200, JSON.stringify(first.body));
    t.match(first.body.values, [{ name: 'heatsink_temperature', value: 40, unit: '°C', quality: 'good' }]);
    t.ok(first.body.answeredAtMs >= first.body.requestedAtMs);
    sim.model.force('heatsink_temperature', 55.5);
    const second = await api('POST', '/api/devices/plant-a/drive-7/live', { names: ['heatsink_temperature'] });
    t.match(second.body.values, [{ name: 'heatsink_temperature', value: 55.5 }], 'the new value at once, not a cached one');
    sim.model.release('heatsink_temperature');
    const all = await api('POST', '/api/devices/plant-a/drive-7/live', {});
    t.equal(all.status, 200);
    t.ok(all.body.values.length >= 10, `every readable parameter (${all.body.values.length})`);
  });

  await t.test('an unknown parameter is named', async (t) => {
    const r = await api('POST', '/api/devices/plant-a/drive-7/live', { names: ['motor_current', 'no_such_thing'] });
    t.equal(r.status, 422);
    t.equal(r.body.error.code, 'FL_ERR_RPC_UNKNOWN_PARAMETER');
    t.match(r.body.error.message, /no_such_thing/);
    t.same(r.body.error.problems, ['no_such_thing']);
  });

  await t.test('describe and logs', async (t) => {
    const d = await api('POST', '/api/devices/plant-a/drive-7/describe');
    t.equal(d.status, 200, JSON.stringify(d.body));
    t.match(d.body, { device: 'drive-7', site: 'plant-a', adapterId: 'generic-vfd' });
    t.ok(d.body.catalogue.length >= 10);
    const l = await api('POST', '/api/devices/plant-a/drive-7/logs', { lines: 20 });
    t.equal(l.status, 200, JSON.stringify(l.body));
    t.ok(Array.isArray(l.body.lines));
  });

  await t.test('a write needs confirm, is signed, changes the register and is audited with the user', async (t) => {
    const values = [{ name: 'frequency_setpoint', value: 42.5 }];
    const refused = await api('POST', '/api/devices/plant-a/drive-7/write', { values });
    t.equal(refused.status, 400);
    t.equal(refused.body.error.code, 'FL_ERR_DEVICE_WRITE_UNCONFIRMED');
    t.not(sim.model.valueAt('frequency_setpoint', Date.now()), 42.5, 'nothing written');
    const old = sim.model.valueAt('frequency_setpoint', Date.now());
    const ok = await api('POST', '/api/devices/plant-a/drive-7/write', { values, confirm: true });
    t.equal(ok.status, 200, JSON.stringify(ok.body));
    t.match(ok.body.values, [{ name: 'frequency_setpoint', value: 42.5, unit: 'Hz' }], 'answered with the value read back');
    t.equal(sim.model.valueAt('frequency_setpoint', Date.now()), 42.5, 'the simulated drive took it');
    const readOnly = await api('POST', '/api/devices/plant-a/drive-7/write', { values: [{ name: 'motor_current', value: 1 }], confirm: true });
    t.equal(readOnly.status, 422);
    t.equal(readOnly.body.error.code, 'FL_ERR_RPC_NOT_WRITABLE');
    // 700 Hz: outside the adapter's 0-120 Hz (a uint16 at 0.01 Hz would have clamped it to 655.35 without a word).
    // The collector refuses it against the range the agent's birth announced, before anything is sent
    // (the agent refuses it as well: tests/unit/agent-modbus-client and the adapter tests).
    const tooHigh = await api('POST', '/api/devices/plant-a/drive-7/write', {
      values: [{ name: 'accel_time', value: 20 }, { name: 'frequency_setpoint', value: 700 }], confirm: true,
    });
    t.equal(tooHigh.status, 422);
    t.match(tooHigh.body.error, { code: 'FL_ERR_RPC_BAD_VALUE', message: /outside the range plant-a\/drive-7 announced; nothing was sent/, problems: ['"frequency_setpoint": 700 Hz is outside 0–120 Hz'] });
    // An agent from before write ranges announced none: the collector passes the value on, and the agent refuses it.
    const db = openTestDatabase(dir.path, Date.now());
    db.prepare("UPDATE devices SET parameters = json_remove(parameters, '$[' || (SELECT key FROM json_each(parameters) WHERE json_extract(value, '$.name') = 'frequency_setpoint') || '].writeRange') WHERE device = 'drive-7'").run();
    db.close();
    const atAgent = await api('POST', '/api/devices/plant-a/drive-7/write', {
      values: [{ name: 'accel_time', value: 20 }, { name: 'frequency_setpoint', value: 700 }], confirm: true,
    });
    t.equal(atAgent.status, 422);
    t.match(atAgent.body.error, { code: 'FL_ERR_RPC_BAD_VALUE', message: /700 Hz for "frequency_setpoint" is outside 0–120 Hz/, problems: ['frequency_setpoint'] });
    t.equal(sim.model.valueAt('frequency_setpoint', Date.now()), 42.5, 'the set point is unchanged');
    t.not(sim.model.valueAt('accel_time', Date.now()), 20, 'and no other value of the same request was written');

    const audit = await api('GET', '/api/audit?subject=plant-a/drive-7');
    t.equal(audit.status, 200);
    const writes = audit.body.records.filter((r) => r.action === 'write');
    t.match(writes, [
      { actor: { kind: 'user', id: 'lena' }, details: { outcome: 'not-applied', code: 'FL_ERR_DEVICE_WRITE_UNCONFIRMED' } },
      {
        actor: { kind: 'user', id: 'lena' },
        details: { outcome: 'applied', parameters: 'frequency_setpoint', values: 'frequency_setpoint=42.5', before: `frequency_setpoint=${old}`, after: 'frequency_setpoint=42.5' },
      },
      { actor: { kind: 'user', id: 'lena' }, details: { outcome: 'not-applied', code: 'FL_ERR_RPC_NOT_WRITABLE' } },
    ]);
    t.equal(writes[0]?.details.before, undefined, 'a write refused before sending reads nothing');
    t.ok(writes.every((r) => r.actor.via === 'token:tests'), 'each record names the API token lena acted through');
    t.ok(audit.body.records.some((r) => r.action === 'live-read' && r.details.code === 'FL_ERR_RPC_UNKNOWN_PARAMETER'), 'failed reads audited too');
    t.notOk(JSON.stringify(audit.body).includes(writeKey), 'the write key is never audited');
  });

  await t.test('a stopped agent: offline at once', async (t) => {
    agentStopped = true;
    await agent.stop();
    // The longest timeout the API allows, so that "at once" cannot be confused with "after the timeout" on a slow machine.
    const r = await api('POST', '/api/devices/plant-a/drive-7/live', { names: ['motor_current'], timeoutMs: 30_000 });
    t.equal(r.status, 503);
    t.equal(r.body.error.code, 'FL_ERR_RPC_OFFLINE');
    t.ok(r.ms < 15_000, `answered in ${r.ms} ms, not after the 30 s timeout`);
    const d = await api('GET', '/api/devices/plant-a/drive-7');
    t.equal(d.body.online, false);
  });

  await t.test('connected but not answering: timeout', async (t) => {
    // The device's own credential, but nothing listening on rpc/req.
    const mute = await mqtt.connectAsync(collector.mqttUrl, { clientId: 'fl-plant-a-drive-7', username, password, protocolVersion: 4, reconnectPeriod: 0 });
    t.teardown(() => mute.endAsync(true));
    const r = await api('POST', '/api/devices/plant-a/drive-7/live', { names: ['motor_current'], timeoutMs: 400 });
    t.equal(r.status, 504);
    t.equal(r.body.error.code, 'FL_ERR_RPC_TIMEOUT');
    t.ok(r.ms >= 380, `gave up after ${r.ms} ms, not before its 400 ms timeout`);
  });

  await t.test('/api/health counts the device requests by outcome', async (t) => {
    const r = await api('GET', '/api/health');
    const figures = r.body.deviceRequests;
    t.ok(figures.sent >= 4 && figures.answered >= 4, `sent ${figures.sent}, answered ${figures.answered}`);
    t.ok(figures.offline >= 1, 'the stopped agent counted as offline');
    t.ok(figures.timeouts >= 1, 'the mute device counted as a timeout');
    t.equal(figures.pending, 0);
  });
});
