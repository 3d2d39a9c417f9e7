/**
 * The failure receipts exist for, end to end on a real Mosquitto (issue #13): a broker's PUBACK
 * only says the broker has an event. Here it acknowledges a real agent's fault event while no
 * collector is subscribed (Mosquitto drops it), then hands the agent's resend to a collector member
 * that dies with it in flight (a shared subscription, clean session: Mosquitto drops it again). The
 * agent keeps the event, unreceipted, and resends it; once a collector side that commits and
 * receipts is there (SharedSubscriber + IngestPipeline + SQLite + ReceiptSender), the event is
 * stored exactly once and the agent's outbox is empty. A second agent with receipts off loses its
 * event in the same situation: that is the loss this closes.
 */
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { startAgent, type RunningAgent } from '../../../agent/agent.js';
import { checkAgentConfig } from '../../../agent/config/load-config.js';
import { SharedSubscriber } from '../../../collector/broker/shared-subscriber.js';
import { IngestPipeline } from '../../../collector/ingest/pipeline.js';
import { ReceiptSender } from '../../../collector/ingest/receipt-sender.js';
import vfd from '../../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../../firmware-adapters/simulator/modbus-device.js';
import { decodeFaultEvent } from '../../../protocol/codec.js';
import { silentLogger } from '../../../protocol/logger.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { openTestStore } from '../../helpers/test-database.js';
import { waitFor } from '../../helpers/wait.js';

const SITE = 'plant';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function agentOn(t: Test, broker: MosquittoServer, dir: string, device: string, receipts: boolean): Promise<{ agent: RunningAgent; raise: () => Promise<string> }> {
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const config = checkAgentConfig({
    mqtt: { url: broker.url, reconnect: { minMs: 100, maxMs: 500 } },
    stateDir: `${dir}/${device}`,
    devices: [{ id: device, site: SITE, model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 0 },
    detection: { chatter: { cycles: 0 } },
    delivery: { receipts, receiptTimeoutMs: 400, maxResendIntervalMs: 800 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor(`${device} polling`, () => (agent.stats(device).polls >= 3 ? true : undefined));
  return {
    agent,
    raise: async () => {
      sim.model.injectFault(1);
      const e = await waitFor(`${device}: the overcurrent raised`, () => agent.recentEvents(device).find((x) => x.code === 'vfd.overcurrent' && x.transition === 'raise'));
      return e.id;
    },
  };
}

t.test('an event the broker acknowledged but no collector stored is kept and resent until a receipt; then stored once, outbox empty', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const broker = await startMosquitto({ settings: { max_queued_messages: 10000 } });
  t.teardown(() => broker.stop());
  const { agent, raise } = await agentOn(t, broker, dir.path, 'drive-1', true);
  const { agent: bare, raise: raiseBare } = await agentOn(t, broker, dir.path, 'drive-2', false);

  // 1. No collector subscribed: Mosquitto acknowledges the event and drops it.
  const eventId = await raise();
  const bareId = await raiseBare();
  await waitFor('the PUBACK', () => (agent.stats('drive-1').eventsPublished >= 1 ? true : undefined));
  t.equal(agent.stats('drive-1').eventsUnreceipted, 1, 'acknowledged by the broker, not receipted');
  t.equal(agent.stats('drive-1').eventsPending, 1, 'so it stays in the outbox');
  await waitFor('a resend after the receipt timeout', () => (agent.stats('drive-1').eventsResentUnreceipted >= 1 ? true : undefined), 5000);
  t.equal(agent.stats('drive-1').eventsPending, 1, 'still kept after resends nobody stored');
  await waitFor('the receipts-off agent deletes on the PUBACK', () => (bare.stats('drive-2').eventsPublished >= 1 && bare.stats('drive-2').eventsPending === 0 ? true : undefined));

  // 2. A collector member takes the resend and dies with it in flight (never acknowledges, socket destroyed).
  const held: string[] = [];
  const dying = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5, clientId: 'dying-collector', clean: true, reconnectPeriod: 0,
    // holds the acknowledgement: the commit never happens
    customHandleAcks: (_topic, payload) => { held.push(decodeFaultEvent(payload).id); },
  });
  await dying.subscribeAsync('$share/collectors/fl/v1/+/+/event', { qos: 1 });
  await waitFor('the dying collector holds the resend in flight', () => (held.includes(eventId) ? true : undefined), 5000);
  dying.stream.destroy();
  await dying.endAsync(true).catch(() => undefined);
  t.equal(agent.stats('drive-1').eventsPending, 1, 'the event is still in the agent\'s outbox');

  // 3. A collector side that commits, then receipts.
  const store = openTestStore(`${dir.path}/collector`, Date.now());
  t.teardown(() => store.close());
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'collector-receipts', reconnectPeriod: 0 });
  t.teardown(() => publisher.endAsync(true));
  const receipts = new ReceiptSender({
    publish: async (topic, payload, qos) => { await publisher.publishAsync(topic, Buffer.from(payload), { qos }); },
    log: silentLogger(), now: Date.now,
  });
  const pipeline = new IngestPipeline({ store: store.ingest, log: silentLogger(), now: Date.now, receipts });
  pipeline.start();
  t.teardown(() => pipeline.stop());
  const sub = new SharedSubscriber({
    url: broker.url, group: 'collectors', filters: ['fl/v1/+/+/event'], clientIdPrefix: 'collector-1', connections: 2,
    handle: (m) => pipeline.handle(m.topic, m.payload, null),
  });
  await sub.start();
  t.teardown(() => sub.stop(1000));

  await waitFor('the receipt empties the outbox', () => (agent.stats('drive-1').eventsPending === 0 ? true : undefined), 10_000);
  const stats = agent.stats('drive-1');
  t.equal(stats.eventsUnreceipted, 0);
  t.equal(stats.eventsReceipted, 1, 'deleted on the receipt');
  t.ok(stats.eventsResentUnreceipted >= 2, `resent until stored (${stats.eventsResentUnreceipted} resends)`);
  const rows = store.db.prepare<[string], { id: string }>('SELECT id FROM events WHERE id = ?').all(eventId);
  t.equal(rows.length, 1, 'stored exactly once');
  t.equal(store.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE device = ?').get('drive-1')?.n, 1, 'and nothing else of the device');
  t.ok(receipts.snapshot().sent >= 1, 'the collector counted its receipts');
  // Later resends that were already in flight are duplicates: refused by the store, receipted again, still one row.
  await sleep(1000);
  t.equal(store.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE id = ?').get(eventId)?.n, 1, 'still once');
  t.equal(agent.stats('drive-1').eventsPending, 0, 'and the outbox stays empty');
  t.equal(store.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE id = ?').get(bareId)?.n, 0,
    'the receipts-off agent\'s event is lost: acknowledged by the broker, stored nowhere');
});
