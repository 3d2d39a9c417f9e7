/**
 * The PostgreSQL adapter of the store port (cluster mode): several collectors share one database.
 * Units of work (ingest batches: pg-ingest.ts; desk transactions: pg-desk.ts) load their scope
 * under locks, run the synchronous desk core in memory and write what changed before COMMIT
 * (desk-unit.ts). Every other operation is one statement, or one transaction where it writes
 * several rows (pg-transaction.ts); this file opens the pool, migrates and wires the parts.
 *
 * Values come back shaped like the SQLite adapter's rows (pg-rows.ts), so its pure row mappers are
 * reused. The data directory holds only the key file device write keys are sealed with (never in
 * the database); the URL is only ever shown with its password masked.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';
import type { Logger } from '../../../protocol/logger.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from '../../core/access/session-expiry.js';
import { loadOrCreateKeyFile } from '../../security/key-file.js';
import type { ScryptCost } from '../../security/password-hash.js';
import type { StorePort } from '../port.js';
import { PgDeskSignals } from './desk-signals.js';
import { migratePostgres } from './migrations.js';
import { PgAccess } from './pg-access.js';
import { createPgAudit } from './pg-audit.js';
import { createPgDesk } from './pg-desk.js';
import { createPgIngest } from './pg-ingest.js';
import { PgKnowledge } from './pg-knowledge.js';
import { createPgLoginFailures } from './pg-login-failures.js';
import { createPgOnCallOverrides } from './pg-on-call-overrides.js';
import { createPgPagingPrefs } from './pg-paging-prefs.js';
import { createPgQueries } from './pg-queries.js';
import { PgReports } from './pg-reports.js';
import { createPgEventRetention } from './pg-retention.js';
import { STORE_PG_TYPES } from './pg-rows.js';
import { pgTicketViews } from './pg-ticket-views.js';
import { transactionRunner } from './pg-transaction.js';
import { PgWebhooks } from './pg-webhooks.js';
import { checkDatabaseUrl, redactUrl } from './pool.js';

export interface PostgresStoreOptions {
  /** postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE */
  url: string;
  /** Where the key file that seals device write keys lives (never in the database). */
  dataDir: string;
  log: Logger;
  nowMs: number;
  /** Connections this collector holds at most (default 10). */
  poolMax?: number;
  users?: { hashCost?: ScryptCost; sessionPolicy?: SessionPolicy };
  /** How long telemetry is kept, by sample time (default TELEMETRY_RETENTION_MS); older day partitions are dropped. */
  telemetryRetentionMs?: number;
}

export interface PostgresStore extends StorePort {
  /** The pool, for the adapter's own tests and tools (never the collector's code). */
  readonly pool: pg.Pool;
}

/** Telemetry retention, as the SQLite store's (by sample time): older day partitions are dropped, at most once an hour. */
export const TELEMETRY_RETENTION_MS = 24 * 60 * 60 * 1000;

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  checkDatabaseUrl(opts.url);
  const location = redactUrl(opts.url);
  const telemetryRetentionMs = opts.telemetryRetentionMs ?? TELEMETRY_RETENTION_MS;
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolMax ?? 10, application_name: 'faultline-collector', types: STORE_PG_TYPES });
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'an idle PostgreSQL connection failed; the pool opens a new one'));
  try {
    const c = await pool.connect();
    try {
      const applied = await migratePostgres(c, { nowMs: opts.nowMs });
      if (applied.length) opts.log.info({ database: location, migrations: applied }, 'database schema migrated');
    } finally {
      c.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    if (cause instanceof FaultlineError) throw cause;
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot open database ${location}: ${(cause as Error).message}`, {
      cause, context: { database: location }, hint: 'check that PostgreSQL is running and the URL, user and database are right',
    });
  }

  const signals = new PgDeskSignals(opts.url, randomUUID(), opts.log);
  const withTx = transactionRunner(pool, location);

  const access = new PgAccess(pool, withTx, opts.users?.hashCost, opts.users?.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  const knowledge = new PgKnowledge(pool, withTx);
  const reports = new PgReports(pool);
  const webhooks = new PgWebhooks(pool, withTx);
  let master: Buffer | undefined;
  const masterKey = (): Buffer => {
    if (!master) {
      mkdirSync(opts.dataDir, { recursive: true });
      master = loadOrCreateKeyFile(opts.dataDir);
    }
    return master;
  };
  let closed = false;

  const store: PostgresStore = {
    pool,
    location,
    ingest: createPgIngest({ pool, withTx, origin: signals.origin, telemetryRetentionMs, log: opts.log }),
    desk: createPgDesk(pool, withTx, signals.origin),
    queries: createPgQueries(pool),
    audit: createPgAudit(pool, withTx),
    webhooks,
    users: access.users,
    sessions: access.sessions,
    tokens: access.tokens,
    credentials: access.credentials,
    deviceKeys: {
      set: (site, device, key, nowMs) => access.setDeviceKey(masterKey(), site, device, key, nowMs),
      get: (site, device) => access.getDeviceKey(masterKey(), site, device),
      has: (site, device) => access.hasDeviceKey(site, device),
      owners: () => access.deviceKeyOwners(),
      delete: (site, device) => access.deleteDeviceKey(site, device),
    },
    knowledge,
    reports: { load: (period, filter) => reports.load(period, filter) },
    cluster: signals,
    loginFailures: createPgLoginFailures(pool, withTx),
    retention: createPgEventRetention(pool),
    ticketViews: pgTicketViews(pool),
    onCallOverrides: createPgOnCallOverrides(pool, signals.origin),
    pagingPrefs: createPgPagingPrefs(pool, signals.origin),
    async close() {
      if (closed) return;
      closed = true;
      await signals.close();
      await pool.end();
    },
  };
  return store;
}

