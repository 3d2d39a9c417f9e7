/**
 * Events a broker refuses are not thrown away (issue #14, item 5). A real Mosquitto (MQTT 5)
 * whose ACL does not let the device publish fault events answers their PUBACK with reason code
 * 135 (not authorized). The agent keeps them in its outbox as dead letters, counts them, logs
 * the refusal once (loudly), reports them in its status, and sends them again once the broker
 * takes them (here: the ACL fixed and the broker restarted, so the agent reconnects).
 * No collector listens here, so these agents run with receipts off (`delivery.receipts: false`):
 * what is tested is the broker's acknowledgement alone (agent-receipts-mosquitto.test.ts covers
 * receipts on the same broker).
 */
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { decodeFaultEvent, decodeStatus } from '../../protocol/codec.js';
import type { AgentStatus, FaultEvent } from '../../protocol/values.js';
import { startMosquitto } from '../helpers/mosquitto-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { capturedLog } from '../helpers/captured-log.js';

const DEVICE = 'fl/v1/plant/drive-1';
const allow = (kinds: string[]): string => ['topic read fl/#', ...kinds.map((k) => `topic write ${DEVICE}/${k}`), ''].join('\n');
const WITHOUT_EVENTS = allow(['birth', 'death', 'status', 'telemetry', 'rpc/res']);
const WITH_EVENTS = allow(['birth', 'death', 'status', 'telemetry', 'rpc/res', 'event']);

async function watch(url: string, seen: { events: FaultEvent[]; statuses: AgentStatus[] }): Promise<MqttClient> {
  const c = connect(url, { protocolVersion: 5, clientId: `watcher-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
  await new Promise((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  c.on('message', (topic, p) => {
    if (topic.endsWith('/event')) seen.events.push(decodeFaultEvent(p));
    if (topic.endsWith('/status')) seen.statuses.push(decodeStatus(p));
  });
  await c.subscribeAsync(`${DEVICE}/#`, { qos: 1 });
  return c;
}

/** A temp dir, a Mosquitto whose ACL refuses the device's events, a simulated drive, and a watcher of all the device publishes; each stopped at teardown. */
async function refusingBroker(t: Test) {
  const dir = tempDir();
  t.teardown(dir.remove);
  const broker = await startMosquitto({ acl: WITHOUT_EVENTS });
  t.teardown(() => broker.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const seen = { events: [] as FaultEvent[], statuses: [] as AgentStatus[] };
  let watcher = await watch(broker.url, seen);
  t.teardown(() => watcher.endAsync(true));
  return { dir: dir.path, broker, sim, seen, watcher: () => watcher, rewatch: async () => { watcher = await watch(broker.url, seen); } };
}

t.test('a fault event refused by the broker (MQTT 5 reason 135) is kept, counted, logged once, and sent again after a reconnect', async (t) => {
  const { dir, broker, sim, seen, watcher, rewatch } = await refusingBroker(t);

  const { log, text: logged } = capturedLog();
  const config = checkAgentConfig({
    mqtt: { url: broker.url, protocolVersion: 5, reconnect: { minMs: 1500, maxMs: 2000 } },
    stateDir: `${dir}/agent`,
    devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 0 },
    status: { intervalMs: 1000 },
    detection: { chatter: { cycles: 0 } },
    delivery: { receipts: false },
  }, 'test');
  const agent = await startAgent(config, { log });
  t.teardown(() => agent.stop());
  await waitFor('the agent polling', () => (agent.stats('drive-1').polls >= 3 ? true : undefined));

  sim.model.injectFault(1);
  await waitFor('the overcurrent raised', () => agent.recentEvents('drive-1').find((e) => e.code === 'vfd.overcurrent' && e.transition === 'raise'));
  sim.model.clearFault();
  await waitFor('and cleared', () => agent.recentEvents('drive-1').find((e) => e.code === 'vfd.overcurrent' && e.transition === 'clear'));
  const status = await waitFor('a status counting both refusals', () => seen.statuses.find((s) => s.rejected >= 2));
  t.equal(status.deadLetters, 2, 'both refused events are dead letters');
  t.equal(status.outboxEvents, 2, 'and still in the outbox');
  t.equal(agent.stats('drive-1').eventsPending, 2);
  t.equal(seen.events.length, 0, 'the broker delivered none of them');
  const loud = logged().split('\n').filter((l) => l.includes('"level":50') && /refused/.test(l));
  t.equal(loud.length, 1, `logged once at error level: ${loud[0] ?? logged().slice(-400)}`);
  t.match(loud[0], /135/, 'with the reason code');

  // The ACL is fixed; the broker restarts; the agent reconnects and sends the dead letters, in order.
  await watcher().endAsync(true);
  await broker.restart(WITH_EVENTS);
  await rewatch();
  const delivered = await waitFor('both events delivered after the reconnect', () => (seen.events.length >= 2 ? seen.events : undefined), 15_000);
  t.same(delivered.map((e) => `${e.code}:${e.transition}:${e.seq}`), ['vfd.overcurrent:raise:1', 'vfd.overcurrent:clear:2'], 'in order, each once');
  await waitFor('the outbox empty', () => (agent.stats('drive-1').eventsPending === 0 ? true : undefined));
  await waitFor('a status with no dead letters', () => (seen.statuses.at(-1)?.deadLetters === 0 && seen.statuses.at(-1)?.outboxEvents === 0 ? true : undefined), 5000);
});

t.test('an MQTT 3.1.1 connection cannot see the refusal: Mosquitto acknowledges the denied event and drops it (what the README warns about; receipts off)', async (t) => {
  const { dir, broker, sim, seen } = await refusingBroker(t);
  const config = checkAgentConfig({
    mqtt: { url: broker.url, protocolVersion: 4 },
    stateDir: `${dir}/agent`,
    devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 0 },
    status: { intervalMs: 1000 },
    delivery: { receipts: false },
  }, 'test');
  const agent = await startAgent(config, { log: pino({ level: 'silent' }) });
  t.teardown(() => agent.stop());
  await waitFor('the agent polling', () => (agent.stats('drive-1').polls >= 3 ? true : undefined));
  sim.model.injectFault(1);
  await waitFor('the overcurrent raised', () => agent.recentEvents('drive-1').find((e) => e.code === 'vfd.overcurrent'));
  await waitFor('the event acknowledged and deleted', () => (agent.stats('drive-1').eventsPublished >= 1 && agent.stats('drive-1').eventsPending === 0 ? true : undefined));
  const status = await waitFor('a status after it', () => seen.statuses.find((s) => s.eventsPublished >= 1));
  t.equal(status.rejected, 0, 'nothing counted as refused');
  t.equal(status.deadLetters, 0);
  t.equal(seen.events.length, 0, 'yet nobody received it');
});
