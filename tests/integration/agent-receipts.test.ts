/**
 * Receipts with the embedded collector, over real sockets on 127.0.0.1: a real agent polling a
 * simulated drive over Modbus TCP, the collector's aedes broker and SQLite. Fault events leave the
 * agent's outbox on the collector's receipts (seen on the device's receipt topic, counted on both
 * sides), each stored once. And the delivery checks of agent-delivery.test.ts with receipts on: the
 * collector stopped mid-stream and started again, every event stored exactly once, in order, the
 * outbox file empty at the end.
 */
import { join } from 'node:path';
import { connect } from 'mqtt';
import t, { type Test } from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { openOutbox } from '../../agent/outbox/index.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { decodeReceipt } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import type { Receipt } from '../../protocol/values.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { checkDelivery, deviceSide, Producer, readDelivered } from '../helpers/delivery-harness.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SITE = 'plant-a';

async function collectorOn(t: Test, dataDir: string, port = 0): Promise<RunningCollector> {
  const c = await startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: port, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => c.stop());
  return c;
}

interface ReceiptHealth { sent: number; events: number; refused: number; failed: number }

async function receiptHealth(c: RunningCollector, dataDir: string): Promise<ReceiptHealth | undefined> {
  const res = await fetch(`${c.httpUrl}/api/health`, { headers: (await apiCallerIn(dataDir, 'admin')).headers });
  return ((await res.json()) as { ingest: { receipts?: ReceiptHealth } }).ingest.receipts;
}

t.test('a real agent\'s fault events leave its outbox on the embedded collector\'s receipts, each stored once', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'collector');
  const collector = await collectorOn(t, dataDir);
  const receipts: Receipt[] = [];
  const watcher = connect(collector.mqttUrl, { clientId: 'receipt-watcher', reconnectPeriod: 0 });
  t.teardown(() => watcher.endAsync(true));
  await new Promise((resolve, reject) => { watcher.once('connect', resolve); watcher.once('error', reject); });
  watcher.on('message', (_topic, payload) => receipts.push(decodeReceipt(payload)));
  await watcher.subscribeAsync(`fl/v1/${SITE}/drive-9/receipt`, { qos: 1 });

  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: join(dir.path, 'agent'),
    devices: [{ id: 'drive-9', site: SITE, model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 200 },
    detection: { chatter: { cycles: 0 } },
  }, 'test');
  t.equal(config.delivery.receipts, true, 'receipts are on by default');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('the agent polling', () => (agent.stats('drive-9').polls >= 3 ? true : undefined));

  sim.model.injectFault(1);
  const raise = await waitFor('the overcurrent raised', () => agent.recentEvents('drive-9').find((e) => e.code === 'vfd.overcurrent' && e.transition === 'raise'));
  sim.model.clearFault();
  const clear = await waitFor('and cleared', () => agent.recentEvents('drive-9').find((e) => e.code === 'vfd.overcurrent' && e.transition === 'clear'));
  await waitFor('both receipted', () => (agent.stats('drive-9').eventsReceipted >= 2 ? true : undefined));
  const stats = agent.stats('drive-9');
  t.equal(stats.eventsPending, 0, 'the outbox holds no event');
  t.equal(stats.eventsUnreceipted, 0);
  t.equal(stats.eventsReceipted, 2, 'both deleted on their receipt');
  t.equal(stats.eventsResentUnreceipted, 0, 'nothing resent: the receipts came at once');
  await waitFor('the watcher saw both receipts', () => (receipts.flatMap((r) => r.eventIds).length >= 2 ? true : undefined));
  t.same(receipts.flatMap((r) => r.eventIds), [raise.id, clear.id], 'the receipts named exactly the two events, in order');
  t.ok(receipts.every((r) => r.site === SITE && r.device === 'drive-9' && r.refused.length === 0));
  const health = await receiptHealth(collector, dataDir);
  t.ok(health && health.sent >= 2 && health.events >= 2 && health.failed === 0, `the collector counts its receipts (${JSON.stringify(health)})`);

  await agent.stop();
  await collector.stop();
  const stored = readDelivered(join(dataDir, DB_FILE), SITE, 'drive-9');
  t.same(stored.events.map((e) => e.id), [raise.id, clear.id], 'stored once each');
});

t.test('receipts on, collector stopped mid-stream and started again: every event stored exactly once, in order, outbox empty', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'collector');
  const port = await freeLoopbackPort();
  const first = await collectorOn(t, dataDir, port);
  const device = 'drive-receipts';
  const side = deviceSide({
    file: join(dir.path, 'agent', 'outbox.db'), url: first.mqttUrl, site: SITE, device, log: silentLogger(),
    link: { receipts: { firstMs: 500, maxMs: 2000 } },
  });
  t.teardown(() => side.close());
  side.link.start();
  const producer = new Producer(side.link, { site: SITE, device, eventEveryMs: 20, telemetryEveryMs: 50 });
  t.teardown(() => producer.stop());
  producer.start();

  await waitFor('20 events receipted before the outage', () => (side.link.counters().receipted >= 20 ? true : undefined));
  await first.stop();
  await waitFor('the link to notice the outage', () => (side.link.connected ? undefined : true));
  const before = producer.events.length;
  await waitFor('50 more events produced during the outage', () => (producer.events.length >= before + 50 ? true : undefined));
  const second = await collectorOn(t, dataDir, port);
  await waitFor('the link to reconnect', () => (side.link.connected ? true : undefined));
  await new Promise((r) => setTimeout(r, 300));
  producer.stop();
  await waitFor('the outbox to drain', () => (side.outbox.depth().total === 0 ? true : undefined), 30_000);
  const counters = side.link.counters();
  t.equal(counters.receipted, producer.events.length, 'every event left the outbox on a receipt');
  t.equal(side.outbox.unreceipted(), 0);
  await side.close();
  await second.stop();

  const stored = readDelivered(join(dataDir, DB_FILE), SITE, device);
  t.same(checkDelivery(producer.events, stored.events), { delivered: producer.events.length, missing: 0, unknown: 0, duplicates: 0, inOrder: true },
    `all ${producer.events.length} events stored exactly once, in order`);
  t.comment(`resent: ${counters.resent} (of which without a receipt in time: ${counters.resentUnreceipted})`);
  const reopened = openOutbox({ file: join(dir.path, 'agent', 'outbox.db'), log: silentLogger() });
  t.teardown(() => reopened.close());
  t.same(reopened.depth(), { event: 0, telemetry: 0, status: 0, total: 0 }, 'the outbox file is empty');
});
