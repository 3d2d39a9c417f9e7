/**
 * The agent's durable delivery over real sockets on 127.0.0.1: the collector (its broker) is
 * really stopped and started again on the same port and data dir; the agent side is really
 * closed and reopened; an agent process is really killed. Every fault event must arrive exactly
 * once, in per-device seq order, and the outbox must end empty.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { openOutbox } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { cuttingProxy } from '../helpers/cutting-proxy.js';
import { checkDelivery, deviceSide, Producer, readDelivered } from '../helpers/delivery-harness.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SITE = 'plant-a';

async function collectorOn(t: Test, dataDir: string, port: number): Promise<RunningCollector> {
  const c = await startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: port, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => c.stop());
  return c;
}

async function duplicatesSeen(c: RunningCollector, dataDir: string): Promise<number> {
  const res = await fetch(`${c.httpUrl}/api/health`, { headers: (await apiCallerIn(dataDir, 'admin')).headers });
  const body = (await res.json()) as { ingest: { duplicates: number } };
  return body.ingest.duplicates;
}

t.test('broker outage: events keep coming, the broker comes back, every event arrives once and in order', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'collector');
  const port = await freeLoopbackPort();
  const first = await collectorOn(t, dataDir, port);
  const device = 'drive-outage';
  const side = deviceSide({ file: join(dir.path, 'agent', 'outbox.db'), url: first.mqttUrl, site: SITE, device, log: silentLogger() });
  t.teardown(() => side.close());
  side.link.start();
  const producer = new Producer(side.link, { site: SITE, device, eventEveryMs: 20, telemetryEveryMs: 50 });
  t.teardown(() => producer.stop());
  producer.start();

  await waitFor('20 events acknowledged before the outage', () => (side.link.counters().ackedEvents >= 20 ? true : undefined));
  await first.stop();
  await waitFor('the link to notice the outage', () => (side.link.connected ? undefined : true));
  const producedBeforeOutage = producer.events.length;
  await waitFor('100 more events produced during the outage', () => (producer.events.length >= producedBeforeOutage + 100 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1500)); // a longer outage than the reconnect backoff's ceiling
  const backlog = side.outbox.depth();
  t.ok(backlog.event >= 100, `events waited in the outbox during the outage (${backlog.event} events, ${backlog.telemetry} telemetry)`);
  t.equal(side.link.connected, false, 'still disconnected while the broker is down');

  const second = await collectorOn(t, dataDir, port);
  await waitFor('the link to reconnect', () => (side.link.connected ? true : undefined));
  await new Promise((r) => setTimeout(r, 300)); // keep producing while draining
  producer.stop();
  side.link.enqueueStatus();
  await waitFor('the outbox to drain', () => (side.outbox.depth().total === 0 ? true : undefined), 30_000);
  const dups = await duplicatesSeen(second, dataDir);
  const counters = side.link.counters();
  await side.close();
  await second.stop();

  const stored = readDelivered(join(dataDir, DB_FILE), SITE, device);
  const check = checkDelivery(producer.events, stored.events);
  t.same(check, { delivered: producer.events.length, missing: 0, unknown: 0, duplicates: 0, inOrder: true },
    `all ${producer.events.length} events stored exactly once, in order`);
  t.same(stored.events.map((e) => e.seq), producer.events.map((_, i) => i + 1), 'per-device seq 1..N without a gap');
  t.ok(stored.telemetryRows >= producer.telemetrySamples, `no telemetry lost (${stored.telemetryRows} rows for ${producer.telemetrySamples} samples produced)`);
  t.ok(counters.connects >= 2 && counters.disconnects >= 1, `reconnected (${counters.connects} connects, ${counters.disconnects} disconnects)`);
  t.equal(counters.rejected, 0);
  t.equal(stored.lastStatus?.connects, counters.connects, 'the status message reports the connects');
  t.equal(stored.lastStatus?.evictedEvents, 0, 'and no evictions');
  t.comment(`resent after reconnect: ${counters.resent}; duplicates dropped by the collector: ${dups}`);

  const reopened = openOutbox({ file: join(dir.path, 'agent', 'outbox.db'), log: silentLogger() });
  t.teardown(() => reopened.close());
  t.same(reopened.depth(), { event: 0, telemetry: 0, status: 0, total: 0 }, 'the outbox file is empty');
});

t.test('agent restart while the broker is down: the outbox and the seq survive, then everything is delivered', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'collector');
  const port = await freeLoopbackPort();
  const url = `mqtt://127.0.0.1:${port}`;
  const outboxFile = join(dir.path, 'agent', 'outbox.db');
  const device = 'drive-restart';

  const before = deviceSide({ file: outboxFile, url, site: SITE, device, log: silentLogger() });
  t.teardown(() => before.close());
  before.link.start();
  const p1 = new Producer(before.link, { site: SITE, device, eventEveryMs: 1000, telemetryEveryMs: 0 });
  for (let i = 0; i < 50; i++) p1.event();
  for (let i = 0; i < 20; i++) p1.telemetry();
  t.equal(before.link.connected, false, 'nothing listens on the port yet');
  await before.close(); // the agent stops (or restarts) with everything still queued

  const after = deviceSide({ file: outboxFile, url, site: SITE, device, log: silentLogger() });
  t.teardown(() => after.close());
  t.same(after.outbox.depth(), { event: 50, telemetry: 20, status: 0, total: 70 }, 'the queue survived the restart');
  after.link.start();
  const p2 = new Producer(after.link, { site: SITE, device, eventEveryMs: 1000, telemetryEveryMs: 0 });
  for (let i = 0; i < 10; i++) p2.event();
  t.same(p2.events.map((e) => e.seq), [51, 52, 53, 54, 55, 56, 57, 58, 59, 60], 'the device seq continues after the restart');

  const collector = await collectorOn(t, dataDir, port);
  await waitFor('the outbox to drain', () => (after.outbox.depth().total === 0 ? true : undefined), 30_000);
  await after.close();
  await collector.stop();

  const produced = [...p1.events, ...p2.events];
  const stored = readDelivered(join(dataDir, DB_FILE), SITE, device);
  t.same(checkDelivery(produced, stored.events), { delivered: 60, missing: 0, unknown: 0, duplicates: 0, inOrder: true }, 'all 60 events, once each, in order');
  t.equal(stored.telemetryRows, p1.telemetrySamples, 'the queued telemetry too');
});

t.test('an agent killed with SIGKILL loses nothing it had stored', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  const outboxModule = fileURLToPath(new URL('../../agent/outbox/index.js', import.meta.url));
  const logModule = fileURLToPath(new URL('../../protocol/logger.js', import.meta.url));
  const script = join(dir.path, 'writer.mjs');
  writeFileSync(script, `
    import { openOutbox } from ${JSON.stringify(outboxModule)};
    import { silentLogger } from ${JSON.stringify(logModule)};
    const outbox = openOutbox({ file: ${JSON.stringify(file)}, log: silentLogger() });
    for (let i = 1; i <= 100000; i++) {
      const { deviceSeq } = outbox.appendSequenced('plant-a/d1', (n) => ({ device: 'plant-a/d1', kind: 'event', topic: 't', payload: Buffer.from(String(n)), qos: 1 }));
      process.stdout.write(deviceSeq + '\\n');
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
  `);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let reported = 0;
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) reported = Math.max(reported, Number(l));
  });
  await waitFor('the writer to store 200 messages', () => (reported >= 200 ? true : undefined));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const outbox = openOutbox({ file, log: silentLogger() });
  t.teardown(() => outbox.close());
  const stored = outbox.peek(0, 1_000_000).map((m) => Number(m.payload.toString()));
  t.ok(stored.length >= reported, `every append reported before the kill is there (${stored.length} stored, ${reported} reported)`);
  t.same(stored, stored.map((_, i) => i + 1), 'in order, without a gap');
  t.equal(outbox.nextSeq('plant-a/d1'), stored.length + 1, 'the device seq continues after the last stored one');
});

/**
 * #15, tests that guard: an agent that dropped an unacknowledged publish on a transport error
 * passed the test above (a clean broker stop leaves nothing in flight). Here the connection goes
 * silent in both directions while events keep coming (publishes in flight that the collector
 * never gets), then is cut; the agent reconnects. Every event raised must be stored exactly once.
 */
t.test('a connection that goes silent and is then cut mid-flight: every event raised is stored exactly once', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'collector');
  const collector = await collectorOn(t, dataDir, 0);
  const port = Number(new URL(collector.mqttUrl).port);
  const proxy = await cuttingProxy('127.0.0.1', port);
  t.teardown(() => proxy.close());
  const device = 'drive-cut';
  const side = deviceSide({ file: join(dir.path, 'agent', 'outbox.db'), url: proxy.url, site: SITE, device, log: silentLogger() });
  t.teardown(() => side.close());
  side.link.start();
  const producer = new Producer(side.link, { site: SITE, device, eventEveryMs: 10, telemetryEveryMs: 0 });
  t.teardown(() => producer.stop());
  producer.start();

  for (let round = 1; round <= 3; round++) {
    await waitFor(`events acknowledged before cut ${round}`, () => (side.link.counters().ackedEvents >= round * 20 ? true : undefined));
    const published = side.link.counters().published;
    proxy.blackhole();
    await waitFor('publishes sent into the silent connection', () => (side.link.counters().published >= published + 5 ? true : undefined));
    proxy.cut();
    await waitFor(`the link to reconnect after cut ${round}`, () => (side.link.connected && proxy.connections() > round ? true : undefined));
  }
  producer.stop();
  await waitFor('the outbox to drain', () => (side.outbox.depth().total === 0 ? true : undefined), 30_000);
  await side.close();

  const stored = readDelivered(join(dataDir, DB_FILE), SITE, device);
  t.same(checkDelivery(producer.events, stored.events), { delivered: producer.events.length, missing: 0, unknown: 0, duplicates: 0, inOrder: true },
    `every one of the ${producer.events.length} events raised is stored exactly once`);
  t.ok(side.link.counters().resent > 0, `what was in flight at the cuts was sent again (${side.link.counters().resent})`);
});
