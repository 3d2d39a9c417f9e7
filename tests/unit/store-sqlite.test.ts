import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { migrate, MIGRATIONS } from '../../collector/store/sqlite/migrations.js';
import { DB_FILE, openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { TELEMETRY_RETENTION_MS } from '../../collector/store/sqlite/batch-writer.js';
import type { FaultEvent } from '../../protocol/values.js';
import { ev, event } from './store-contract.js';

const DAY1 = Date.parse('2024-03-05T10:00:00Z');
const DAY2 = Date.parse('2024-03-06T00:00:01Z');
const NOW = DAY2 + 60_000;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(t: Test, dir = tempDir(t)): SqliteStore {
  const store = openSqliteStore({ dataDir: dir, log: silentLogger(), nowMs: NOW });
  t.teardown(() => store.close());
  return store;
}


t.test('opening twice is idempotent: migrations run once', async (t) => {
  const dir = tempDir(t);
  await open(t, dir).close();
  const again = open(t, dir);
  t.equal((await again.queries.counts()).events, 0);
  const db = new Database(join(dir, DB_FILE));
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
  t.same(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
  t.same(migrate(db, NOW), [], 'nothing left to apply');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
});

t.test('a database newer than the code is refused with a clear error', async (t) => {
  const dir = tempDir(t);
  await open(t, dir).close();
  const db = new Database(join(dir, DB_FILE));
  db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(999, 'from the future', NOW);
  db.close();
  t.throws(() => openSqliteStore({ dataDir: dir, log: silentLogger(), nowMs: NOW }), { code: 'FL_ERR_STORE_SCHEMA_NEWER' });
});

t.test('a failing migration leaves nothing half applied', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  const broken = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE half (x); THIS IS NOT SQL' }];
  t.throws(() => migrate(db, NOW, broken));
  t.same(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all(), [], 'the table of the failed migration is gone');
  t.same((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v, MIGRATIONS.at(-1)?.version);
});

t.test('a database written by the collector before the store port (schema v10, made by `faultline demo`) opens, migrates and reads', async (t) => {
  const dir = tempDir(t);
  copyFileSync(new URL('../../../tests/fixtures/faultline-v10.db', import.meta.url), join(dir, DB_FILE));
  const store = open(t, dir);
  const counts = await store.queries.counts();
  t.ok(counts.events > 0 && counts.tickets > 0, `the old rows are there (${counts.events} events, ${counts.tickets} tickets)`);
  const tickets = await store.queries.listTickets({ limit: 100 });
  t.equal(tickets.length, counts.tickets);
  t.match(tickets[0], { number: /^TS-\d{8}-\d{4}$/ });
  t.ok((await store.queries.ticketEvents(tickets[0]?.id ?? -1)).length > 0, 'a ticket\'s timeline reads');
  t.ok((await store.queries.listDevices()).length > 0);
  t.ok(await store.users.byName('demo'), 'the demo user is there');
  t.match(await store.audit.verify(), { ok: true }, 'the audit chain written before still verifies');
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  t.teardown(() => db.close());
  const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
  t.same(versions, MIGRATIONS.map((m) => m.version), 'every migration is recorded once');
});

t.test('device states kept between batches: last-seen alone is written narrowly, other changes whole, a rollback forgets them', async (t) => {
  const store = open(t);
  const commit = (m: IngestMessage[]) => store.ingest.commit(m, NOW);
  const key = { site: 'plant-a', device: 'drive-1' };
  const birth = (firmware: string, receivedMs: number): IngestMessage => ({
    kind: 'birth', receivedMs,
    birth: { ...key, adapterId: 'generic-vfd', model: 'VFD-4000', firmware, agentVersion: '0.1.0', parameters: [], timeMs: 1, sessionId: 's1' },
  });
  await commit([birth('2.3.1', 100)]);
  await commit([ev(event('raise', DAY1), 200)]);
  t.match(await store.queries.listDevices(), [{ firmware: '2.3.1', lastSeenMs: 200 }], 'an event in a later batch moves last seen');
  // Another writer changes the row behind the cache: a narrow last-seen update leaves its column alone.
  store.db.prepare("UPDATE devices SET agent_version = 'edited' WHERE site = ? AND device = ?").run(key.site, key.device);
  await commit([ev(event('raise', DAY1 + 1), 300)]);
  t.match(await store.queries.listDevices(), [{ agentVersion: 'edited', lastSeenMs: 300 }], 'only last_seen_ms was written');
  await commit([birth('3.0.0', 400)]);
  t.match(await store.queries.listDevices(), [{ firmware: '3.0.0', agentVersion: '0.1.0', lastSeenMs: 400 }], 'a birth writes the whole row');
  const bad = { ...event('raise', DAY1 + 2), category: undefined } as unknown as FaultEvent;
  await t.rejects(commit([birth('4.0.0', 500), ev(bad, 500)]));
  t.match(await store.queries.listDevices(), [{ firmware: '3.0.0', lastSeenMs: 400 }], 'the failed batch left the row as it was');
  await commit([ev(event('raise', DAY1 + 3), 600)]);
  t.match(await store.queries.listDevices(), [{ firmware: '3.0.0', lastSeenMs: 600 }], 'and the kept state was not the rolled-back one');
  const events = store.db.prepare('SELECT firmware FROM events ORDER BY seq').all() as Array<{ firmware: string }>;
  t.same(events.map((e) => e.firmware), ['2.3.1', '2.3.1', '3.0.0'], 'events carry the firmware as stored, not the rolled-back birth\'s');
});

t.test('telemetry is stored, queried by window, and pruned after the retention period', async (t) => {
  const store = open(t);
  const key = { site: 'plant-a', device: 'drive-1' };
  const old = NOW - TELEMETRY_RETENTION_MS - 1;
  await store.ingest.commit([{
    kind: 'telemetry', receivedMs: NOW,
    telemetry: { ...key, samples: [
      { parameter: 'f', value: 1, quality: 'good', timeMs: old },
      { parameter: 'f', value: 2, quality: 'stale', timeMs: NOW - 1000 },
      { parameter: 'f', value: 3, quality: 'good', timeMs: 0 },
    ] },
  }], NOW);
  const all = await store.queries.telemetry({ ...key, fromMs: 0, toMs: NOW + 1, limit: 100 });
  t.same(all.map((s) => [s.value, s.quality, s.timeMs]), [[2, 'stale', NOW - 1000], [3, 'good', NOW]], 'old sample pruned; time 0 placed at arrival');
  t.same((await store.queries.telemetry({ ...key, fromMs: NOW - 10, toMs: NOW, limit: 100 })).map((s) => s.value), [3]);
});

