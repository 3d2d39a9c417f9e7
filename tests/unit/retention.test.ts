/**
 * Retention on a real SQLite store: the events setting is honoured (what is younger, and what a
 * ticket needs, stays), pruning goes in batches with ingest commits between them, and the
 * telemetry setting replaces the 24 h default.
 */
import t, { type Test } from 'tap';
import { RetentionWorker, telemetryRetentionMs } from '../../collector/retention.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../protocol/logger.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ev, event } from './store-contract.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function open(t: Test, telemetryHours?: number) {
  const dir = tempDir();
  const store = openSqliteStore({
    dataDir: dir.path, log: silentLogger(), nowMs: NOW, users: TEST_USERS,
    ...(telemetryHours === undefined ? {} : { telemetryRetentionMs: telemetryRetentionMs({ eventsDays: 0, telemetryHours }) }),
  });
  t.teardown(async () => { await store.close(); dir.remove(); });
  return store;
}

t.test('events older than the setting go, in batches that let ingest commit in between; younger ones stay', async (t) => {
  const store = open(t);
  const old = Array.from({ length: 3000 }, (_, i) => ev(event('raise', NOW - 200 * DAY + i, { code: 'none' }), NOW - 200 * DAY));
  for (let i = 0; i < old.length; i += 500) await store.ingest.commit(old.slice(i, i + 500), NOW - 200 * DAY);
  const middle = Array.from({ length: 20 }, (_, i) => ev(event('raise', NOW - 100 * DAY + i, { code: 'none' }), NOW - 100 * DAY));
  await store.ingest.commit(middle, NOW - 100 * DAY);

  const keepYear = new RetentionWorker({ store: store.retention, settings: { eventsDays: 365, telemetryHours: 24 }, log: silentLogger(), now: () => NOW, batch: 500 });
  t.equal(await keepYear.runOnce(), 0, 'kept a year: nothing is 365 days old');

  const order: string[] = [];
  const worker = new RetentionWorker({ store: store.retention, settings: { eventsDays: 150, telemetryHours: 24 }, log: silentLogger(), now: () => NOW, batch: 500 });
  const pruned = worker.runOnce().then((n) => { order.push('pruned'); return n; });
  setImmediate(() => { void store.ingest.commit([ev(event('raise', NOW, { code: 'none' }), NOW)], NOW).then(() => order.push('ingest committed')); });
  t.equal(await pruned, 3000, 'the 200-day-old events are pruned at 150 days');
  t.same(order, ['ingest committed', 'pruned'], 'an ingest commit went through while the backlog was pruned');
  t.equal((await store.queries.counts()).events, 21, 'the 100-day-old and the new events stay');
  await worker.stop();

  const forever = new RetentionWorker({ store: store.retention, settings: { eventsDays: 0, telemetryHours: 24 }, log: silentLogger(), now: () => NOW + 1000 * DAY });
  forever.start(0);
  await new Promise((r) => setTimeout(r, 50));
  await forever.stop();
  t.equal((await store.queries.counts()).events, 21, 'eventsDays 0 keeps events forever');
});

t.test('the telemetry setting replaces the 24 h default', async (t) => {
  const store = open(t, 2);
  const key = { site: 'plant-a', device: 'drive-1' };
  await store.ingest.commit([{
    kind: 'telemetry', receivedMs: NOW,
    telemetry: { ...key, samples: [
      { parameter: 'f', value: 1, quality: 'good', timeMs: NOW - 3 * 3_600_000 },
      { parameter: 'f', value: 2, quality: 'good', timeMs: NOW - 3_600_000 },
    ] },
  }], NOW);
  t.same((await store.queries.telemetry({ ...key, fromMs: 0, toMs: NOW + 1, limit: 100 })).map((s) => s.value), [2], 'kept 2 h: the 3 h old sample is gone');
});
