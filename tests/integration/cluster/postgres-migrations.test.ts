/**
 * The PostgreSQL schema and its migration runner (collector/store/postgres/), against a real
 * PostgreSQL: a fresh database migrates to the latest version with every table and column of the
 * SQLite schema at the same version; four collectors migrating at once apply it once and all
 * succeed; a failing migration leaves nothing; newer schemas are refused; telemetry lives in day
 * partitions that retention drops whole.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import t, { type Test } from 'tap';
import { FaultlineError } from '../../../protocol/errors.js';
import { MIGRATIONS as SQLITE_MIGRATIONS, migrate as migrateSqlite } from '../../../collector/store/sqlite/migrations.js';
import {
  checkDatabaseUrl, createPool, DAY_MS, dropTelemetryBefore, ensureTelemetryDaysAround, ensureTelemetryPartitions,
  listTelemetryPartitions, migratePostgres, PG_MIGRATIONS, PG_TYPES, redactUrl, schemaVersion,
} from '../../../collector/store/postgres/index.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

const LATEST = PG_MIGRATIONS.at(-1)?.version ?? 0;
const ALL = PG_MIGRATIONS.map((m) => m.version);
let server: PostgresServer;
let dbCount = 0;

t.before(async () => {
  server = await startPostgres();
});
t.teardown(() => server?.stop());

/** A fresh database and a connected client on it, closed at the end of the test. */
async function freshClient(t: Test): Promise<{ url: string; client: pg.Client }> {
  const url = await server.createDatabase(`mig_${++dbCount}`);
  const client = new pg.Client({ connectionString: url, types: PG_TYPES });
  await client.connect();
  t.teardown(() => client.end());
  return { url, client };
}

interface ColumnRow { table_name: string; column_name: string; data_type: string }

t.test('a fresh database migrates to the latest version with the SQLite schema\'s tables and columns', async (t) => {
  const { client } = await freshClient(t);
  t.equal(await schemaVersion(client), 0);
  t.same(await migratePostgres(client, { nowMs: 1_700_000_000_000 }), ALL);
  t.equal(await schemaVersion(client), LATEST);
  t.equal(LATEST, SQLITE_MIGRATIONS.at(-1)?.version, 'PostgreSQL and SQLite are at the same schema version');

  const sqlite = new Database(':memory:');
  t.teardown(() => sqlite.close());
  migrateSqlite(sqlite, 0);
  const sqliteTables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kb_fts%'").all() as { name: string }[])
    .map((r) => r.name).sort();
  const { rows: cols } = await client.query<ColumnRow>(
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'");
  const pgTables = [...new Set(cols.map((c) => c.table_name).filter((n) => !/^telemetry_\d{8}$/.test(n)))].sort();
  t.same(pgTables, sqliteTables, 'the same tables');
  for (const table of sqliteTables) {
    const want = (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name).sort();
    const have = cols.filter((c) => c.table_name === table && !(table === 'kb_entries' && c.column_name === 'search')).map((c) => c.column_name).sort();
    t.same(have, want, `${table}: the same columns`);
  }
  const msNotBigint = cols.filter((c) => /_ms$/.test(c.column_name) && c.data_type !== 'bigint').map((c) => `${c.table_name}.${c.column_name}`);
  t.same(msNotBigint, [], 'every epoch-ms column is BIGINT');
  const type = (table: string, column: string): string | undefined => cols.find((c) => c.table_name === table && c.column_name === column)?.data_type;
  t.equal(type('events', 'snapshot'), 'jsonb');
  t.equal(type('alarms', 'active'), 'boolean');
  t.equal(type('audit_log', 'details'), 'text', 'audit details keep their exact bytes (hashed)');
  t.equal(type('webhook_deliveries', 'body'), 'text', 'webhook bodies keep their exact bytes (signed)');
  t.equal(type('telemetry', 'value'), 'double precision');
  const { rows: ident } = await client.query<{ is_identity: string }>(
    "SELECT is_identity FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'id'");
  t.equal(ident[0]?.is_identity, 'YES', 'ids are identity columns');

  // the schema works the way the desk uses it
  await client.query(`INSERT INTO kb_entries (model_pattern, code, title, symptoms, diagnosis, remedy, source, created_ms, updated_ms)
    VALUES ('', 'E042', 'Overcurrent trip', 'drive stops under load', '["check the motor cable","measure insulation"]', 'replace cable', 'manual', 1, 1)`);
  const { rows: hits } = await client.query<{ title: string }>("SELECT title FROM kb_entries WHERE search @@ plainto_tsquery('simple', 'insulation')");
  t.same(hits.map((h) => h.title), ['Overcurrent trip'], 'full-text search reaches the diagnosis steps');
  const zeros = '0'.repeat(64);
  const audit = `INSERT INTO audit_log (at_ms, actor_kind, actor_id, subject_kind, subject_id, action, reason, details, prev_hash, hash)
    VALUES (1, 'system', 'x', 'ticket', '1', 'open', '', '{}', $1, $2)`;
  await client.query(audit, [zeros, 'a'.repeat(64)]);
  await t.rejects(client.query(audit, [zeros, 'b'.repeat(64)]), /audit_log_prev_hash_key/, 'the audit chain cannot fork');
  const { rows: big } = await client.query<{ v: number }>('SELECT 1700000000123::bigint AS v');
  t.equal(big[0]?.v, 1_700_000_000_123, 'BIGINT comes back as a number');

  t.same(await migratePostgres(client, { nowMs: 2 }), [], 'a second run applies nothing');
});

t.test('four collectors migrating one fresh database at once: applied once, all succeed', async (t) => {
  const { url } = await freshClient(t);
  const clients = await Promise.all([1, 2, 3, 4].map(async () => {
    const c = new pg.Client({ connectionString: url, types: PG_TYPES });
    await c.connect();
    t.teardown(() => c.end());
    return c;
  }));
  const results = await Promise.all(clients.map((c, i) => migratePostgres(c, { nowMs: 1000 + i })));
  t.same(results.map((r) => r.length).sort(), [0, 0, 0, ALL.length], `one applied, three found it done: ${JSON.stringify(results)}`);
  const { rows } = await clients[0]!.query<{ version: number; n: number }>('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
  t.same(rows, ALL.map((version) => ({ version, n: 1 })));
  const { rows: locks } = await clients[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
  t.equal(locks[0]?.n, 0, 'the advisory lock is released');
});

t.test('a failing migration leaves nothing; the next good one applies; a newer database is refused', async (t) => {
  const { client } = await freshClient(t);
  await migratePostgres(client, { nowMs: 1 });
  const bad = [...PG_MIGRATIONS, { version: LATEST + 1, name: 'half done', sql: 'CREATE TABLE half_done (x int); SELECT 1 / 0;' }];
  const err = await migratePostgres(client, { nowMs: 2, migrations: bad }).catch((e: unknown) => e);
  t.ok(err instanceof FaultlineError && err.code === 'FL_ERR_STORE_MIGRATION_FAILED', 'typed error');
  t.match((err as Error).message, new RegExp(`migration ${LATEST + 1} \\(half done\\) failed: division by zero`));
  const { rows } = await client.query<{ t: string | null }>("SELECT to_regclass('half_done')::text AS t");
  t.equal(rows[0]?.t, null, 'the table of the failed migration is not there');
  t.equal(await schemaVersion(client), LATEST);

  const good = [...PG_MIGRATIONS, { version: LATEST + 1, name: 'a column', sql: 'ALTER TABLE devices ADD COLUMN note TEXT' }];
  t.same(await migratePostgres(client, { nowMs: 3, migrations: good }), [LATEST + 1], 'only the new version runs');

  const newer = await migratePostgres(client, { nowMs: 4 }).catch((e: unknown) => e);
  t.ok(newer instanceof FaultlineError && newer.code === 'FL_ERR_STORE_SCHEMA_NEWER', 'older code refuses the newer schema');
  t.match((newer as Error).message, new RegExp(`version ${LATEST + 1} is newer than this collector understands \\(${LATEST}\\)`));

  const unordered = await migratePostgres(client, { nowMs: 5, migrations: [...PG_MIGRATIONS, { version: 3, name: 'x', sql: '' }] }).catch((e: unknown) => e);
  t.ok(unordered instanceof FaultlineError && unordered.code === 'FL_ERR_STORE_MIGRATION_ORDER');
});

t.test('telemetry: day partitions created ahead, a day without one refused, retention drops whole days', async (t) => {
  const { client } = await freshClient(t);
  await migratePostgres(client, { nowMs: 1 });
  const day0 = Date.UTC(2026, 11, 1); // 2026-12-01 00:00 UTC
  const now = day0 + 5 * DAY_MS + 3_600_000; // 12-06 01:00
  t.equal(await ensureTelemetryDaysAround(client, now, 5, 2), 8, '12-01 .. 12-08');
  t.equal(await ensureTelemetryDaysAround(client, now, 5, 2), 0, 'idempotent');
  const parts = await listTelemetryPartitions(client);
  t.same(parts.map((p) => p.name), ['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => `telemetry_202612${d}`));
  t.same(parts[0], { name: 'telemetry_20261201', fromMs: day0, toMs: day0 + DAY_MS });

  const insert = 'INSERT INTO telemetry (site, device, parameter, value, quality, time_ms) VALUES ($1, $2, $3, $4, $5, $6)';
  for (let d = 0; d < 8; d++) {
    await client.query(insert, ['s1', 'd1', 'temp', 20 + d, 'good', day0 + d * DAY_MS]);
    await client.query(insert, ['s1', 'd1', 'temp', 20.5 + d, 'good', day0 + (d + 1) * DAY_MS - 1]);
  }
  await t.rejects(client.query(insert, ['s1', 'd1', 'temp', 1, 'good', day0 + 30 * DAY_MS]), /no partition of relation "telemetry" found/,
    'a sample for a day without a partition is refused, not silently kept');

  const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT * FROM telemetry WHERE site = 's1' AND device = 'd1' AND time_ms >= ${day0 + 2 * DAY_MS} AND time_ms < ${day0 + 3 * DAY_MS}`);
  const planText = plan.map((r) => r['QUERY PLAN']).join('\n');
  t.match(planText, /telemetry_20261203/);
  t.notMatch(planText, /telemetry_20261202|telemetry_20261204/, 'a one-day query reads one partition');

  const cutoff = day0 + 3 * DAY_MS + 12 * 3_600_000; // 12-04 12:00
  t.same(await dropTelemetryBefore(client, cutoff), ['telemetry_20261201', 'telemetry_20261202', 'telemetry_20261203'], 'whole days before the cutoff');
  const { rows: left } = await client.query<{ n: number; oldest: number }>('SELECT count(*)::int AS n, min(time_ms) AS oldest FROM telemetry');
  t.same(left[0], { n: 10, oldest: day0 + 3 * DAY_MS }, 'the day holding the cutoff stays whole');
  t.same(await dropTelemetryBefore(client, cutoff), [], 'nothing more to drop');

  await t.rejects(ensureTelemetryPartitions(client, now, now - 1), /from_ms .* must be <= to_ms/);
  await t.rejects(ensureTelemetryPartitions(client, 0, now), /more than 400/, 'a wild sample time does not create years of partitions');
  const fractional = await ensureTelemetryPartitions(client, 1.5, 2).catch((e: unknown) => e);
  t.ok(fractional instanceof FaultlineError && fractional.code === 'FL_ERR_STORE_TELEMETRY_TIME', 'a fractional time is refused before the database');
});

t.test('four collectors ensuring the same days at once: no error, each day once', async (t) => {
  const { url, client } = await freshClient(t);
  await migratePostgres(client, { nowMs: 1 });
  const pool = createPool(url, { max: 4 });
  t.teardown(() => pool.end());
  const now = Date.UTC(2026, 11, 6, 12);
  const created = await Promise.all([1, 2, 3, 4].map(() => ensureTelemetryDaysAround(pool, now, 1, 5)));
  t.equal(created.reduce((a, b) => a + b, 0), 7, `7 days created in total (${created.join(', ')})`);
  t.equal((await listTelemetryPartitions(pool)).length, 7);
});

t.test('database URLs are checked and never shown with their password', async (t) => {
  t.equal(redactUrl('postgres://fl:s3cret@db:5432/faultline'), 'postgres://fl:***@db:5432/faultline');
  t.ok(checkDatabaseUrl('postgresql://db/faultline'));
  const bad = (url: string): FaultlineError => {
    try {
      checkDatabaseUrl(url);
    } catch (e) {
      if (e instanceof FaultlineError) return e;
    }
    throw new Error(`accepted ${url}`);
  };
  t.equal(bad('not a url').code, 'FL_ERR_STORE_PG_URL');
  const e = bad('mysql://fl:s3cret@db/');
  t.match(e.message, /scheme mysql: .*no database name/);
  t.notMatch(e.message, /s3cret/, 'no password in the message');
  t.notMatch(JSON.stringify(e.context), /s3cret/, 'nor in the context');
  t.match(e.hint ?? '', /postgres:\/\/USER/);
});
