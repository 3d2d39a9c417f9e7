/**
 * The cluster's desk primitives (collector/store/postgres/desk-primitives.ts) on a real
 * PostgreSQL with the real schema: ticket counters stay unique and gapless per day while ten
 * transactions race and some roll back; due timers claimed by four workers at once fire exactly
 * once, including those a worker held when its connection was killed mid-transaction; two
 * collectors applying one device's events take turns, other devices do not wait.
 */
import pg from 'pg';
import t from 'tap';
import { FaultlineError } from '../../../protocol/errors.js';
import { claimDueTimers, createPool, lockDevices, migratePostgres, nextTicketCounter, nextTimerDueMs, PG_TYPES } from '../../../collector/store/postgres/index.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

let server: PostgresServer;
let url: string;
t.before(async () => {
  server = await startPostgres();
  url = await server.createDatabase('desk');
  const c = new pg.Client({ connectionString: url, types: PG_TYPES });
  await c.connect();
  await migratePostgres(c, { nowMs: 1 });
  await c.end();
});
t.teardown(() => server?.stop());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('ticket counters: ten racing transactions, every third rolled back: committed numbers are 1..n', async (t) => {
  const pool = createPool(url, { max: 10 });
  t.teardown(() => pool.end());
  await pool.query('CREATE TABLE opened (number INTEGER NOT NULL, worker INTEGER NOT NULL)');
  const results = await Promise.all(Array.from({ length: 10 }, async (_, worker) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const n = await nextTicketCounter(c, '20261206');
      await sleep(5 + ((worker * 7) % 20));
      await c.query('INSERT INTO opened (number, worker) VALUES ($1, $2)', [n, worker]);
      const commit = worker % 3 !== 0;
      await c.query(commit ? 'COMMIT' : 'ROLLBACK');
      return { n, commit };
    } finally {
      c.release();
    }
  }));
  const committed = results.filter((r) => r.commit).map((r) => r.n).sort((a, b) => a - b);
  t.same(committed, Array.from({ length: committed.length }, (_, i) => i + 1), `gapless: ${committed.join(',')}`);
  const { rows } = await pool.query<{ n: number }>('SELECT number AS n FROM opened ORDER BY number');
  t.same(rows.map((r) => r.n), committed, 'exactly the committed numbers are stored');
  const { rows: counter } = await pool.query<{ last: number }>("SELECT last FROM ticket_day_counters WHERE day = '20261206'");
  t.equal(counter[0]?.last, committed.length, 'the counter ends at the last committed number');
  t.equal(await pool.connect().then(async (c) => { try { return await nextTicketCounter(c, '20261207'); } finally { c.release(); } }), 1, 'a new day starts at 1');
  const bad = await nextTicketCounter(pool, '2026-12-06').catch((e: unknown) => e);
  t.ok(bad instanceof FaultlineError && bad.code === 'FL_ERR_STORE_TICKET_DAY');
});

t.test('timers: four workers and one that dies holding claims: every due timer fires exactly once', async (t) => {
  const admin = new pg.Client({ connectionString: url, types: PG_TYPES });
  await admin.connect();
  t.teardown(() => admin.end());
  const now = 1_800_000_000_000;
  await admin.query('CREATE TABLE fired (kind TEXT NOT NULL, key TEXT NOT NULL, worker TEXT NOT NULL)');
  await admin.query(`INSERT INTO desk_timers (kind, key, due_ms)
    SELECT 'sla', 'ticket-' || g, $1::bigint - g * 10 FROM generate_series(1, 200) g
    UNION ALL SELECT 'sla', 'later-' || g, $1::bigint + 60000 + g FROM generate_series(1, 20) g`, [now]);

  // a collector that claims ten timers and then dies before it commits
  const doomed = new pg.Client({ connectionString: url, types: PG_TYPES });
  doomed.on('error', () => undefined);
  await doomed.connect();
  t.teardown(() => doomed.end().catch(() => undefined));
  await doomed.query('BEGIN');
  const held = await claimDueTimers(doomed, now, 10);
  t.equal(held.length, 10);
  t.same(held.map((h) => h.key), Array.from({ length: 10 }, (_, i) => `ticket-${200 - i}`), 'oldest first');
  const doomedPid = (doomed as pg.Client & { processID: number }).processID;

  const pool = createPool(url, { max: 4 });
  t.teardown(() => pool.end());
  const deadline = Date.now() + 15_000;
  const worker = async (name: string): Promise<number> => {
    let fired = 0;
    while (Date.now() < deadline) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const due = await claimDueTimers(c, now, 7);
        for (const d of due) await c.query('INSERT INTO fired (kind, key, worker) VALUES ($1, $2, $3)', [d.kind, d.key, name]);
        if (due.length > 0) await c.query('DELETE FROM desk_timers WHERE kind = $1 AND key = ANY($2)', ['sla', due.map((d) => d.key)]);
        await c.query('COMMIT');
        fired += due.length;
        if (due.length === 0) {
          const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM desk_timers WHERE due_ms <= $1', [now]);
          if (rows[0]?.n === 0) return fired;
          await sleep(20); // some are held by another collector: look again
        }
      } finally {
        c.release();
      }
    }
    return fired;
  };
  const workers = Promise.all(['w1', 'w2', 'w3', 'w4'].map(worker));
  await sleep(100);
  await admin.query('SELECT pg_terminate_backend($1)', [doomedPid]);
  const counts = await workers;
  t.equal(counts.reduce((a, b) => a + b, 0), 200, `fired by the workers: ${counts.join(' + ')}`);
  t.ok(counts.filter((c) => c > 0).length >= 2, 'the work was shared');

  const { rows: dupes } = await admin.query<{ key: string }>('SELECT key FROM fired GROUP BY kind, key HAVING count(*) > 1');
  t.same(dupes, [], 'no timer fired twice');
  const { rows: firedKeys } = await admin.query<{ key: string }>('SELECT key FROM fired');
  const firedSet = new Set(firedKeys.map((r) => r.key));
  t.equal(firedSet.size, 200, 'every due timer fired');
  t.ok(held.every((h) => firedSet.has(h.key)), 'including the ten the dead collector held');
  t.notOk([...firedSet].some((k) => k.startsWith('later-')), 'nothing not yet due fired');
  t.equal(await nextTimerDueMs(admin), now + 60_001, 'the next wake-up is the earliest remaining timer');
  const bad = await claimDueTimers(admin, now, 0).catch((e: unknown) => e);
  t.ok(bad instanceof FaultlineError && bad.code === 'FL_ERR_STORE_TIMER_CLAIM');
});

t.test('device locks: one device\'s work takes turns across collectors; another device does not wait', async (t) => {
  const pool = createPool(url, { max: 3 });
  const a = await pool.connect();
  const b = await pool.connect();
  const c = await pool.connect();
  t.teardown(async () => {
    a.release();
    b.release();
    c.release();
    await pool.end();
  });
  await a.query('BEGIN');
  await lockDevices(a, [{ site: 'plant-a', device: 'drive-1' }, { site: 'plant-a', device: 'drive-2' }]);
  const order: string[] = [];
  await b.query('BEGIN');
  const bDone = lockDevices(b, [{ site: 'plant-a', device: 'drive-2' }]).then(() => order.push('b got drive-2'));
  await c.query('BEGIN');
  await lockDevices(c, [{ site: 'plant-b', device: 'drive-2' }]);
  order.push('c got plant-b/drive-2 at once');
  await sleep(150);
  t.same(order, ['c got plant-b/drive-2 at once'], 'b waits while a holds drive-2');
  order.push('a commits');
  await a.query('COMMIT');
  await bDone;
  t.same(order, ['c got plant-b/drive-2 at once', 'a commits', 'b got drive-2'], 'b proceeds only after a\'s commit');
  await b.query('COMMIT');
  await c.query('COMMIT');
  const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
  t.equal(rows[0]?.n, 0, 'transaction locks end with the transaction');
  const bad = await lockDevices(c, [{ site: 'plant-a', device: 'x/../y' }]).catch((e: unknown) => e);
  t.ok(bad instanceof FaultlineError && bad.code === 'FL_ERR_TOPIC_ID', 'ids are checked');
});
