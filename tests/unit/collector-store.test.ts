import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { silentLogger } from '../../bin/log.js';
import type { IngestMessage } from '../../collector/core/ingest-message.js';
import { migrate, MIGRATIONS } from '../../collector/store/migrations.js';
import { DB_FILE, openStore, type Store } from '../../collector/store/store.js';
import { TELEMETRY_RETENTION_MS } from '../../collector/store/batch-writer.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';

const DAY1 = Date.parse('2024-03-05T10:00:00Z');
const DAY2 = Date.parse('2024-03-06T00:00:01Z');
const NOW = DAY2 + 60_000;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(t: Test, dir = tempDir(t)): Store {
  const store = openStore({ dataDir: dir, log: silentLogger(), nowMs: NOW });
  t.teardown(() => store.close());
  return store;
}

let nextId = 1;
function event(transition: Transition, timeMs: number, over: Partial<FaultEvent> = {}): FaultEvent {
  const n = nextId++;
  return {
    id: `018e0f3a-0000-7000-8000-${String(n).padStart(12, '0')}`, device: 'drive-1', site: 'plant-a', seq: n, timeMs,
    source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'major', transition, message: 'Overcurrent',
    snapshot: [{ parameter: 'motor_current', value: 9.5, quality: 'good', timeMs: timeMs - 500 }],
    logExcerpt: ['E001 overcurrent'], labels: { line: '3' }, adapterId: 'generic-vfd', remedy: 'Check the cable', ...over,
  };
}

const ev = (e: FaultEvent, receivedMs = NOW): IngestMessage => ({ kind: 'event', receivedMs, event: e });

t.test('opening twice is idempotent: migrations run once', async (t) => {
  const dir = tempDir(t);
  open(t, dir).close();
  const again = open(t, dir);
  t.equal(again.counts().events, 0);
  const db = new Database(join(dir, DB_FILE));
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
  t.same(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
  t.same(migrate(db, NOW), [], 'nothing left to apply');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
});

t.test('a database newer than the code is refused with a clear error', async (t) => {
  const dir = tempDir(t);
  open(t, dir).close();
  const db = new Database(join(dir, DB_FILE));
  db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(999, 'from the future', NOW);
  db.close();
  t.throws(() => openStore({ dataDir: dir, log: silentLogger(), nowMs: NOW }), { code: 'FL_ERR_STORE_SCHEMA_NEWER' });
});

t.test('a failing migration leaves nothing half applied', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  const broken = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE half (x); THIS IS NOT SQL' }];
  t.throws(() => migrate(db, NOW, broken));
  t.same(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all(), [], 'the table of the failed migration is gone');
  t.same((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v, MIGRATIONS.at(-1)?.version);
});

t.test('a duplicate event id is rejected, in a later batch or in the same one', async (t) => {
  const store = open(t);
  const e = event('raise', DAY1);
  t.same(store.commit([ev(e)], NOW), ['committed']);
  t.same(store.commit([ev(e)], NOW), ['duplicate']);
  const f = event('raise', DAY1 + 10);
  t.same(store.commit([ev(f), ev(f)], NOW), ['committed', 'duplicate']);
  t.equal(store.counts().events, 2);
  t.equal(store.counts().tickets, 1);
  t.equal(store.listTickets({ limit: 10 })[0]?.occurrences, 2, 'the duplicate did not count as an occurrence');
});

t.test('a second raise is an occurrence on the open ticket, not a new ticket; a clear is recorded', async (t) => {
  const store = open(t);
  store.commit([ev(event('raise', DAY1))], NOW);
  store.commit([ev(event('raise', DAY1 + 5000))], NOW);
  store.commit([ev(event('clear', DAY1 + 9000))], NOW);
  const tickets = store.listTickets({ limit: 10 });
  t.equal(tickets.length, 1);
  t.match(tickets[0], {
    number: 'TS-20240305-0001', status: 'new', priority: 'P2', priorityReason: 'P2: major severity', occurrences: 2,
    faultActive: false, firstSeenMs: DAY1, lastSeenMs: DAY1 + 5000, clearedAtMs: DAY1 + 9000, openedAtMs: NOW, closedAtMs: null,
    title: 'Overcurrent on drive-1', remedy: 'Check the cable', adapterId: 'generic-vfd',
  });
  const timeline = store.ticketEvents(tickets[0]?.id ?? -1);
  t.same(timeline.map((e) => e.transition), ['raise', 'raise', 'clear'], 'the timeline holds every event');
  t.match(timeline[0], { labels: { line: '3' }, logExcerpt: ['E001 overcurrent'], receivedMs: NOW, ticketId: tickets[0]?.id });
  t.equal(timeline[0]?.snapshot[0]?.parameter, 'motor_current');
});

t.test('a clear with no open ticket is stored without a ticket', async (t) => {
  const store = open(t);
  t.same(store.commit([ev(event('clear', DAY1))], NOW), ['committed']);
  t.equal(store.counts().events, 1);
  t.equal(store.counts().tickets, 0);
});

t.test('different codes and devices get their own tickets, numbered per UTC day', async (t) => {
  const store = open(t);
  store.commit([
    ev(event('raise', DAY1)),
    ev(event('raise', DAY1 + 1, { code: 'vfd.overheat' })),
    ev(event('raise', DAY1 + 2, { device: 'drive-2' })),
    ev(event('raise', DAY2, { device: 'drive-3' })),
  ], NOW);
  const numbers = store.listTickets({ limit: 10 }).map((x) => `${x.device}/${x.code}=${x.number}`).sort();
  t.same(numbers, [
    'drive-1/vfd.overcurrent=TS-20240305-0001',
    'drive-1/vfd.overheat=TS-20240305-0002',
    'drive-2/vfd.overcurrent=TS-20240305-0003',
    'drive-3/vfd.overcurrent=TS-20240306-0001',
  ]);
  t.same(store.getTicket({ number: 'TS-20240305-0002' })?.code, 'vfd.overheat');
  t.equal(store.getTicket({ number: 'TS-20990101-0001' }), undefined);
  t.same(store.listTickets({ device: 'drive-2', limit: 10 }).map((x) => x.device), ['drive-2']);
  t.same(store.listTickets({ site: 'elsewhere', limit: 10 }), []);
  t.equal(store.listTickets({ limit: 2 }).length, 2);
});

t.test('devices: birth, death of the current session, stale death ignored', async (t) => {
  const store = open(t);
  const key = { site: 'plant-a', device: 'drive-1' };
  const birth = (sessionId: string): IngestMessage => ({
    kind: 'birth', receivedMs: 100,
    birth: { ...key, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0', parameters: [], timeMs: 1, sessionId },
  });
  const death = (sessionId: string, receivedMs: number): IngestMessage => ({ kind: 'death', receivedMs, death: { ...key, timeMs: 0, sessionId, reason: 'lost' } });
  store.commit([birth('s1')], NOW);
  t.match(store.listDevices(), [{ ...key, online: true, model: 'VFD-4000', sessionId: 's1', lastBirthMs: 100 }]);
  store.commit([birth('s2'), death('s1', 200)], NOW);
  t.match(store.listDevices(), [{ online: true, sessionId: 's2', lastSeenMs: 200 }], 'the old session\'s will does not take it offline');
  store.commit([death('s2', 300)], NOW);
  t.match(store.listDevices(), [{ online: false, lastDeathMs: 300, lastDeathReason: 'lost' }]);
  store.commit([ev(event('raise', DAY1), 400)], NOW);
  t.equal(store.listDevices()[0]?.lastSeenMs, 400, 'an event refreshes last seen');
});

t.test('device states kept between batches: last-seen alone is written narrowly, other changes whole, a rollback forgets them', async (t) => {
  const store = open(t);
  const key = { site: 'plant-a', device: 'drive-1' };
  const birth = (firmware: string, receivedMs: number): IngestMessage => ({
    kind: 'birth', receivedMs,
    birth: { ...key, adapterId: 'generic-vfd', model: 'VFD-4000', firmware, agentVersion: '0.1.0', parameters: [], timeMs: 1, sessionId: 's1' },
  });
  store.commit([birth('2.3.1', 100)], NOW);
  store.commit([ev(event('raise', DAY1), 200)], NOW);
  t.match(store.listDevices(), [{ firmware: '2.3.1', lastSeenMs: 200 }], 'an event in a later batch moves last seen');
  // Another writer changes the row behind the cache: a narrow last-seen update leaves its column alone.
  store.db.prepare("UPDATE devices SET agent_version = 'edited' WHERE site = ? AND device = ?").run(key.site, key.device);
  store.commit([ev(event('raise', DAY1 + 1), 300)], NOW);
  t.match(store.listDevices(), [{ agentVersion: 'edited', lastSeenMs: 300 }], 'only last_seen_ms was written');
  store.commit([birth('3.0.0', 400)], NOW);
  t.match(store.listDevices(), [{ firmware: '3.0.0', agentVersion: '0.1.0', lastSeenMs: 400 }], 'a birth writes the whole row');
  const bad = { ...event('raise', DAY1 + 2), category: undefined } as unknown as FaultEvent;
  t.throws(() => store.commit([birth('4.0.0', 500), ev(bad, 500)], NOW));
  t.match(store.listDevices(), [{ firmware: '3.0.0', lastSeenMs: 400 }], 'the failed batch left the row as it was');
  store.commit([ev(event('raise', DAY1 + 3), 600)], NOW);
  t.match(store.listDevices(), [{ firmware: '3.0.0', lastSeenMs: 600 }], 'and the kept state was not the rolled-back one');
  const events = store.db.prepare('SELECT firmware FROM events ORDER BY seq').all() as Array<{ firmware: string }>;
  t.same(events.map((e) => e.firmware), ['2.3.1', '2.3.1', '3.0.0'], 'events carry the firmware as stored, not the rolled-back birth\'s');
});

t.test('telemetry is stored, queried by window, and pruned after the retention period', async (t) => {
  const store = open(t);
  const key = { site: 'plant-a', device: 'drive-1' };
  const old = NOW - TELEMETRY_RETENTION_MS - 1;
  store.commit([{
    kind: 'telemetry', receivedMs: NOW,
    telemetry: { ...key, samples: [
      { parameter: 'f', value: 1, quality: 'good', timeMs: old },
      { parameter: 'f', value: 2, quality: 'stale', timeMs: NOW - 1000 },
      { parameter: 'f', value: 3, quality: 'good', timeMs: 0 },
    ] },
  }], NOW);
  const all = store.telemetry({ ...key, fromMs: 0, toMs: NOW + 1, limit: 100 });
  t.same(all.map((s) => [s.value, s.quality, s.timeMs]), [[2, 'stale', NOW - 1000], [3, 'good', NOW]], 'old sample pruned; time 0 placed at arrival');
  t.same(store.telemetry({ ...key, fromMs: NOW - 10, toMs: NOW, limit: 100 }).map((s) => s.value), [3]);
});

t.test('a failed batch changes nothing', async (t) => {
  const store = open(t);
  const good = event('raise', DAY1);
  const bad = { ...event('raise', DAY1 + 1), category: undefined } as unknown as FaultEvent; // NOT NULL violation
  t.throws(() => store.commit([ev(good), ev(bad)], NOW));
  t.equal(store.counts().events, 0);
  t.equal(store.counts().tickets, 0);
  t.same(store.commit([ev(good)], NOW), ['committed'], 'the good event still commits on its own');
});
