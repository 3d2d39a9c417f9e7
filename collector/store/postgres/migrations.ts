/**
 * Versioned, forward-only schema migrations for PostgreSQL, safe when several collectors start
 * together: the runner holds a session-level advisory lock while it reads `schema_migrations`
 * and applies what is missing, so exactly one collector applies each version and the others wait,
 * then find nothing to do. Each migration runs in its own transaction with its
 * `schema_migrations` row (PostgreSQL's DDL is transactional: a failed migration leaves nothing).
 *
 * Version numbers follow the SQLite store's (collector/store/migrations.ts): a PostgreSQL
 * database starts at version 10, one baseline equal to the SQLite schema at version 10, and a
 * later schema change takes the same number in both stores. Append only: never edit or renumber
 * an applied migration.
 */
import { PAGING_PREFS_SCHEMA } from './pg-paging-prefs.js';
import { SLA_DUE_MIGRATION_NAME, slaDueSchema } from '../sla-due-schema.js';
import { FaultlineError } from '../../../protocol/errors.js';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCK_MIGRATIONS } from './advisory-locks.js';
import type { Queryable } from './pool.js';
import { ACCESS_SCHEMA } from './schema-access.js';
import { DESK_SCHEMA } from './schema-desk.js';
import { INGEST_SCHEMA } from './schema-ingest.js';
import { KNOWLEDGE_SCHEMA } from './schema-knowledge.js';
import { LOGIN_FAILURES_SCHEMA } from './pg-login-failures.js';
import { ON_CALL_OVERRIDES_SCHEMA } from './pg-on-call-overrides.js';
import { TELEMETRY_SCHEMA } from './schema-telemetry.js';
import { TELEMETRY_REASON_SCHEMA } from './schema-quality.js';
import { LATEST_VALUES_SCHEMA } from './schema-latest.js';
import { TICKET_VIEWS_TABLE } from '../ticket-view-rows.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 10,
    name: 'baseline: the SQLite schema at version 10 (events, devices, tickets, desk, audit, webhooks, credentials, users, device keys, knowledge), telemetry partitioned by day',
    sql: [INGEST_SCHEMA, DESK_SCHEMA, ACCESS_SCHEMA, KNOWLEDGE_SCHEMA, TELEMETRY_SCHEMA].join('\n'),
  },
  { version: 11, name: 'login failures shared by collectors (login throttle)', sql: LOGIN_FAILURES_SCHEMA },
  { version: 12, name: 'last-known telemetry values per device and parameter', sql: LATEST_VALUES_SCHEMA },
  { version: 13, name: 'saved views of the ticket table, per user', sql: TICKET_VIEWS_TABLE('BIGINT') },
  { version: 14, name: 'on-call overrides set through the API', sql: ON_CALL_OVERRIDES_SCHEMA },
  { version: 15, name: 'paging choices users set for themselves', sql: PAGING_PREFS_SCHEMA },
  { version: 16, name: 'telemetry rows keep their quality reason', sql: TELEMETRY_REASON_SCHEMA },
  { version: 17, name: SLA_DUE_MIGRATION_NAME, sql: slaDueSchema('postgres') },
];

/** A connection the runner can hold for the whole run (the lock is per session): a pg.Client or a pool's client. */
export interface MigrationConnection extends Queryable {}

export interface MigrateOptions {
  nowMs: number;
  migrations?: readonly PgMigration[];
  /** How long to wait for another collector's migration run (default 60 s). */
  lockTimeoutMs?: number;
}

interface AppliedRow {
  version: number;
  name: string;
}

function checkList(migrations: readonly PgMigration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1];
    const m = migrations[i];
    if (prev && m && m.version <= prev.version) {
      throw new FaultlineError('FL_ERR_STORE_MIGRATION_ORDER', `migration ${m.version} (${m.name}) follows ${prev.version}: versions must increase`, {
        context: { version: m.version, previous: prev.version },
        hint: 'append new migrations with the next version number; never renumber',
      });
    }
  }
}

/**
 * Applies the pending migrations on `conn` (which must stay one session for the call: a
 * pg.Client, or a client from pool.connect(), not the pool). Refuses a database written by newer
 * code. Returns the versions this call applied ([] when another collector already did).
 */
export async function migratePostgres(conn: MigrationConnection, opts: MigrateOptions): Promise<number[]> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  checkList(migrations);
  const lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
  await conn.query("SELECT set_config('lock_timeout', $1, false)", [`${lockTimeoutMs}ms`]);
  try {
    await conn.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_MIGRATIONS]);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_MIGRATION_LOCK', `waited ${lockTimeoutMs} ms for another collector's schema migration to finish`, {
      context: { lockTimeoutMs }, cause,
      hint: 'look for a collector stuck while migrating (pg_stat_activity, application_name faultline-collector) and stop it, then start again',
    });
  } finally {
    await conn.query("SELECT set_config('lock_timeout', '0', false)");
  }
  try {
    await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)`);
    const { rows: applied } = await conn.query<AppliedRow>('SELECT version, name FROM schema_migrations ORDER BY version');
    const latest = migrations.at(-1)?.version ?? 0;
    const newest = applied.at(-1)?.version ?? 0;
    if (newest > latest) {
      throw new FaultlineError('FL_ERR_STORE_SCHEMA_NEWER', `database schema version ${newest} is newer than this collector understands (${latest})`, {
        context: { databaseVersion: newest, codeVersion: latest },
        hint: 'run a collector at least as new as the one that last migrated this database, or restore a backup',
      });
    }
    const done = new Set(applied.map((r) => r.version));
    const ran: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await conn.query('BEGIN');
        await conn.query(m.sql);
        await conn.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)', [m.version, m.name, opts.nowMs]);
        await conn.query('COMMIT');
      } catch (cause) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw new FaultlineError('FL_ERR_STORE_MIGRATION_FAILED', `schema migration ${m.version} (${m.name}) failed: ${(cause as Error).message}`, {
          context: { version: m.version }, cause,
          hint: 'nothing of this migration was applied; fix the cause named above and start again',
        });
      }
      ran.push(m.version);
    }
    return ran;
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_MIGRATIONS]).catch(() => undefined);
  }
}

/** The schema version of a database (0 when never migrated). */
export async function schemaVersion(q: Queryable): Promise<number> {
  const { rows: table } = await q.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (table[0]?.t == null) return 0;
  const { rows } = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}
