/**
 * A site's flood window times stored as rows (collector/store/flood-times.ts): only new times are
 * inserted and expired ones deleted; a restart, a rollback and the v8 migration of the old JSON
 * form all give back exactly the window the core had.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { floodTimesDiff } from '../../collector/store/sqlite/flood-times.js';
import { migrate, MIGRATIONS } from '../../collector/store/sqlite/migrations.js';
import { DB_FILE, openSqliteStore as openStore } from '../../collector/store/sqlite/sqlite-store.js';
import { deskHarness, fault, MIN, T0 } from '../helpers/desk-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('floodTimesDiff: what was dropped from the front and appended at the end', async (t) => {
  const cases: Array<[string, number[], number[], ReturnType<typeof floodTimesDiff>]> = [
    ['only appended', [1, 2], [1, 2, 3, 4], { dropped: 0, appended: [3, 4] }],
    ['dropped and appended', [1, 2, 3], [3, 5], { dropped: 2, appended: [5] }],
    ['equal times leave together', [1, 1, 2], [2, 2], { dropped: 2, appended: [2] }],
    ['all dropped', [1, 2], [], { dropped: 2, appended: [] }],
    ['from nothing', [], [7], { dropped: 0, appended: [7] }],
    ['unchanged', [4, 5], [4, 5], { dropped: 0, appended: [] }],
    ['not a continuation (a time rewritten)', [1, 2, 3], [1, 9, 3], null],
    ['not a continuation (shorter than what was kept)', [1, 2, 3], [1, 2], null],
  ];
  for (const [name, prev, next, want] of cases) t.same(floodTimesDiff(prev, next), want, name);
});

const timesIn = (db: Database.Database, site: string): number[] =>
  (db.prepare('SELECT at_ms FROM flood_times WHERE site = ? ORDER BY at_ms, rowid').all(site) as Array<{ at_ms: number }>).map((r) => r.at_ms);

t.test('a flood writes its window as rows, batch by batch, and a restart reads the same window back', async (t) => {
  const h = await deskHarness(t);
  // 14 new alarms at plant-a in three batches: more than 10 in 10 minutes is a flood.
  for (let batch = 0; batch < 3; batch++) {
    h.clock.now = T0 + batch * MIN;
    await h.commit(...Array.from({ length: batch === 2 ? 4 : 5 }, (_, i) => fault('raise', h.clock.now + i, { device: `drive-${batch}-${i}` })));
  }
  const state = h.store.repo.alarms.flood('plant-a');
  t.ok(state?.episode, 'the site is in flood');
  t.equal(state?.recent.length, 14);
  t.same(timesIn(h.store.db, 'plant-a'), state?.recent, 'the rows are the window');
  const data = JSON.parse((h.store.db.prepare("SELECT data FROM alarm_floods WHERE site = 'plant-a'").get() as { data: string }).data) as Record<string, unknown>;
  t.notOk('recent' in data, 'the JSON no longer carries the window');
  t.ok(data.episode, 'the episode is in the JSON');

  // Eleven minutes on, one more alarm: the first batch's times left the window, rows included.
  h.clock.now = T0 + 11 * MIN + 30_000;
  await h.commit(fault('raise', h.clock.now, { device: 'drive-late' }));
  const later = h.store.repo.alarms.flood('plant-a');
  t.equal(later?.recent.length, 5, 'four of the third batch and the new one (the first two batches left the window)');
  t.same(timesIn(h.store.db, 'plant-a'), later?.recent);

  await h.close();
  const again = await deskHarness(t, undefined, { dataDir: h.dataDir, clock: h.clock });
  t.same(again.store.repo.alarms.flood('plant-a'), later, 'after a restart the store gives back the same state');
});

t.test('a rolled-back batch leaves the rows as they were, and the next save still writes the right window', async (t) => {
  const h = await deskHarness(t);
  await h.commit(...Array.from({ length: 3 }, (_, i) => fault('raise', T0 + i, { device: `drive-${i}` })));
  const before = timesIn(h.store.db, 'plant-a');
  t.equal(before.length, 3);
  await t.rejects(h.store.desk.transaction({}, () => {
    const s = h.store.repo.alarms.flood('plant-a');
    if (!s) throw new Error('no flood state');
    h.store.repo.alarms.saveFlood({ ...s, recent: [...s.recent, T0 + 10, T0 + 11] });
    // The adapter writes flood times before each commit; write them now, inside the unit, to see them rolled back.
    (h.store.repo.alarms as unknown as { flush(): void }).flush();
    throw new Error('undo');
  }), /undo/);
  t.same(timesIn(h.store.db, 'plant-a'), before, 'rolled back');
  h.clock.now = T0 + MIN;
  await h.commit(fault('raise', h.clock.now, { device: 'drive-9' }));
  t.same(timesIn(h.store.db, 'plant-a'), [...before, T0 + MIN], 'the next batch writes the window the core holds');
});

t.test('migration v8 moves a stored window out of the JSON into rows', async (t) => {
  const dir = tempDir('faultline-flood-migration-');
  t.teardown(dir.remove);
  const file = join(dir.path, DB_FILE);
  const db = new Database(file);
  migrate(db, T0, MIGRATIONS.filter((m) => m.version < 8));
  const episode = { site: 'plant-a', startMs: T0 + 3, endMs: null, alarms: 12, peak: 12 };
  db.prepare('INSERT INTO alarm_floods (site, in_flood, data) VALUES (?, ?, ?)')
    .run('plant-a', 1, JSON.stringify({ site: 'plant-a', recent: [T0 + 1, T0 + 1, T0 + 5, T0 + 9], episode }));
  db.close();
  const store = openStore({ dataDir: dir.path, log: silentLogger(), nowMs: T0 });
  t.teardown(() => store.close());
  t.same(timesIn(store.db, 'plant-a'), [T0 + 1, T0 + 1, T0 + 5, T0 + 9], 'every time became a row');
  t.same(store.repo.alarms.flood('plant-a'), { site: 'plant-a', episode, recent: [T0 + 1, T0 + 1, T0 + 5, T0 + 9] });
});

t.test('migration v10 keeps timers, chatter and flood states when their tables lose the rowid', async (t) => {
  const dir = tempDir('faultline-v10-migration-');
  t.teardown(dir.remove);
  const db = new Database(join(dir.path, DB_FILE));
  migrate(db, T0, MIGRATIONS.filter((m) => m.version < 10));
  db.prepare('INSERT INTO desk_timers (kind, key, due_ms) VALUES (?, ?, ?)').run('ticket', '7', T0 + 5);
  db.prepare('INSERT INTO alarm_chatter (alarm, site, chattering, data) VALUES (?, ?, ?, ?)').run('plant-a/drive-1/x', 'plant-a', 1, '{"alarm":"plant-a/drive-1/x"}');
  db.prepare('INSERT INTO alarm_floods (site, in_flood, data) VALUES (?, ?, ?)').run('plant-a', 1, JSON.stringify({ site: 'plant-a', episode: null }));
  db.close();
  const store = openStore({ dataDir: dir.path, log: silentLogger(), nowMs: T0 });
  t.teardown(() => store.close());
  t.same(store.repo.timers.next(), { kind: 'ticket', key: '7', dueMs: T0 + 5 });
  t.same(store.repo.alarms.chatteringAlarms(), ['plant-a/drive-1/x']);
  t.same(store.repo.alarms.floodingSites(), ['plant-a']);
  const withoutRowid = store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%' AND name IN ('alarm_chatter', 'alarm_floods', 'desk_timers', 'tickets') ORDER BY name").all();
  // the three that lost it in v10 (tables of later versions may be WITHOUT ROWID from the start); tickets keeps its rowid
  t.same(withoutRowid, [{ name: 'alarm_chatter' }, { name: 'alarm_floods' }, { name: 'desk_timers' }]);
  const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE parent_id = ? ORDER BY id').all(1) as Array<{ detail: string }>;
  t.match(plan.map((p) => p.detail).join(' '), /tickets_parent/, 'children are still found through the (now partial) parent index');
});
