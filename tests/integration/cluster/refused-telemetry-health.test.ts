/**
 * Refused telemetry reaches the device's health on the collector (issue #14, items 2 and 5). A
 * real Mosquitto (MQTT 5) whose ACL lets the device publish everything but telemetry answers each
 * telemetry batch with reason 135. The agent drops the batches (a reading is stale by the time it
 * could go again: not kept, not resent), counts them by kind, logs the refusal once, and its status
 * carries the counts; a collector on the same broker (cluster mode) shows them in the device's
 * health (GET /api/devices/:site/:device → status.rejectedTelemetry).
 */
import t from 'tap';
import { startAgent } from '../../../agent/agent.js';
import { checkAgentConfig } from '../../../agent/config/load-config.js';
import { startCollector } from '../../../collector/collector.js';
import vfd from '../../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../../firmware-adapters/simulator/modbus-device.js';
import { silentLogger } from '../../../protocol/logger.js';
import type { AgentStatus } from '../../../protocol/values.js';
import { apiCallerIn } from '../../helpers/api-auth.js';
import { startMosquitto } from '../../helpers/mosquitto-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';
import { capturedLog } from '../../helpers/captured-log.js';

const DEVICE = 'fl/v1/plant/drive-1';
const ACL_WITHOUT_TELEMETRY = ['topic read fl/#', ...['birth', 'death', 'status', 'event', 'rpc/res'].map((k) => `topic write ${DEVICE}/${k}`), ''].join('\n');

t.setTimeout(180_000);

t.test('telemetry the broker refuses is dropped, counted by kind, logged once, and shown in the device health on the collector', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const broker = await startMosquitto({ acl: ACL_WITHOUT_TELEMETRY });
  t.teardown(() => broker.stop());
  const admin = await apiCallerIn(dir.path, 'admin');
  const collector = await startCollector({ dataDir: dir.path, httpHost: '127.0.0.1', httpPort: 0, broker: { url: broker.url, connections: 1 }, log: silentLogger() });
  t.teardown(() => collector.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());

  const { log, text: logged } = capturedLog();
  const config = checkAgentConfig({
    mqtt: { url: broker.url, protocolVersion: 5 },
    stateDir: `${dir.path}/agent`,
    devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 200 },
    status: { intervalMs: 1000 },
    detection: { chatter: { cycles: 0 } },
    delivery: { receipts: false },
  }, 'test');
  const agent = await startAgent(config, { log });
  t.teardown(() => agent.stop());

  const status = await waitFor('the device health on the collector counting refused telemetry', async () => {
    const res = await fetch(`${collector.httpUrl}/api/devices/plant/drive-1`, { headers: admin.headers });
    if (!res.ok) return undefined;
    const s = ((await res.json()) as { status: AgentStatus | null }).status;
    return s && (s.rejectedTelemetry ?? 0) >= 3 ? s : undefined;
  }, 60_000, 250);
  t.ok(status.rejected >= (status.rejectedTelemetry ?? 0), `counted in the total too (${status.rejected} refused, ${status.rejectedTelemetry} telemetry)`);
  t.equal(status.rejectedStatus, 0, 'status messages go through (this one did)');
  t.equal(status.deadLetters, 0, 'refused telemetry is not kept as a dead letter');
  t.equal(status.outboxTelemetry, 0, 'nor left in the outbox to be resent');
  const loud = logged().split('\n').filter((l) => l.includes('"level":50') && /refused a telemetry publish/.test(l));
  t.equal(loud.length, 1, 'logged once at error level, however many batches are refused');
  t.match(loud[0], /135/, 'with the reason code');
});
