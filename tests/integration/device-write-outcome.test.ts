/**
 * A write that times out is not "failed" (issue #14, item 3). Real collector (API, RPC client,
 * embedded broker) → real agent → simulated drive on Modbus TCP that can be paused like a slave
 * stopped with SIGSTOP (it takes requests and carries them out on resume). The outcome of a
 * write is applied, not applied or unknown, decided by reading the register back; the API and
 * the audit say which, and an unknown outcome is never reported as a failure.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { waitFor } from '../helpers/wait.js';
import { callJson } from '../helpers/json-call.js';
import { startLoopbackCollector } from '../helpers/collector-with-drive.js';

interface Body {
  online: boolean;
  catalogue: unknown[];
  outcome?: string;
  values: Array<{ name: string; value: number }>;
  error?: { code: string; message: string };
  records: Array<{ action: string; details: Record<string, unknown> }>;
  username: string;
  password: string;
  writeKey: string;
}

t.test('write outcomes: applied, not applied (the device refused), unknown (the device did not answer, then applied it)', async (t) => {
  const { dir, collector } = await startLoopbackCollector(t);
  const lena = await apiCallerIn(dir.path, 'engineer', 'lena');
  const admin = await apiCallerIn(dir.path, 'admin', 'root');
  const api = (method: string, path: string, body?: unknown, as = lena) => callJson<Body>(collector.httpUrl, as, method, path, body);
  const issued = await api('POST', '/api/admin/devices', { site: 'plant', device: 'drive-3' }, admin);
  const { username, password, writeKey } = issued.body;
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl, reconnect: { minMs: 200, maxMs: 1000 } },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-3', site: 'plant', model: 'VFD-4000', firmware: '2.3.1', username, password, writeKey,
      modbus: { host: sim.host, port: sim.port, intervals: { normal: 500 }, timeoutMs: 300, retries: 0 },
    }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('the device online', async () => {
    const r = await api('GET', '/api/devices/plant/drive-3');
    return r.status === 200 && r.body.online && r.body.catalogue.length > 0 ? true : undefined;
  });
  const write = (name: string, value: number) => api('POST', '/api/devices/plant/drive-3/write', { values: [{ name, value }], confirm: true, timeoutMs: 5000 });

  const applied = await write('frequency_setpoint', 41);
  t.equal(applied.status, 200, JSON.stringify(applied.body));
  t.equal(applied.body.outcome, 'applied');
  t.match(applied.body.values, [{ name: 'frequency_setpoint', value: 41 }]);

  sim.model.refuse('holding', 0x101, 4); // accel_time: slave device failure
  const notApplied = await write('accel_time', 12);
  t.equal(notApplied.status, 502, JSON.stringify(notApplied.body));
  t.equal(notApplied.body.error?.code, 'FL_ERR_RPC_WRITE_REFUSED', 'the device answered with an exception: definitely not applied');
  t.match(notApplied.body.error?.message, /exception 4/);
  sim.model.accept();

  // The slave stops answering (SIGSTOP): the write and the read-back time out; on resume it applies the write.
  sim.pause();
  const unknown = await write('frequency_setpoint', 33);
  t.equal(unknown.status, 202, `not a failure: ${JSON.stringify(unknown.body)}`);
  t.equal(unknown.body.outcome, 'unknown', 'the outcome is unknown');
  t.notOk(unknown.body.error, 'no error body');
  sim.resume();
  await waitFor('the held write applied on resume', () => (sim.model.valueAt('frequency_setpoint', Date.now()) === 33 ? true : undefined));

  const audit = await api('GET', '/api/audit?subject=plant/drive-3');
  const outcomes = audit.body.records.filter((r) => r.action === 'write').map((r) => r.details.outcome);
  t.same(outcomes, ['applied', 'not-applied', 'unknown'], 'the audit says which, never "failed" for the unknown one');
});
