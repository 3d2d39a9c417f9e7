/**
 * The SQLite adapter of the store port: one file `faultline.db` in the data directory, WAL journal,
 * synchronous=NORMAL (a commit survives a process crash; the last commits before a power cut may be
 * lost), foreign keys on, schema migrated on open. The one place in the collector that opens the
 * database (the collector, the CLIs and the tests all come through openSqliteStore).
 *
 * better-sqlite3 answers synchronously on one connection, so a unit of work runs from BEGIN to
 * COMMIT without yielding: no other unit can interleave, which is what serializes a device's
 * events here. The running collector checkpoints the WAL from a worker thread (checkpointer.ts);
 * writes the desk parts keep back within a transaction (pending-writes.ts) are flushed before
 * every commit and discarded with every rollback.
 *
 * Retention: tickets and the audit log are kept forever; events as the collector's retention worker
 * prunes them (event-retention.ts); telemetry 24 h by sample time unless `telemetryRetentionMs`
 * says otherwise (pruned at most once a minute inside an ingest transaction, a bounded batch each).
 */
import { createPagingPrefsStore } from './paging-prefs-store.js';
import { createLoginFailureStore } from './login-failure-store.js';
import { createOnCallOverrideStore } from './on-call-override-store.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import '../../../runtime/sqlite-guard.js';
import { FaultlineError } from '../../../protocol/errors.js';
import type { Logger } from '../../../protocol/logger.js';
import type { SessionPolicy } from '../../core/access/session-expiry.js';
import { loadOrCreateKeyFile } from '../../security/key-file.js';
import type { ScryptCost } from '../../security/password-hash.js';
import type { StorePort } from '../port.js';
import type { DeskRepo, DeskUnit } from '../port/desk-repo.js';
import { auditHead, createAuditLog, recordFromRow, verifyAuditChain, type AuditRow } from './audit-log.js';
import { alarmHistoryQuery } from '../alarm-history-sql.js';
import { deliveryNotFailed, deliveryNotFound, RESEND_FAILED_SQL } from '../webhook-resend.js';
import { createBatchWriter } from './batch-writer.js';
import { createEventRetention } from './event-retention.js';
import { startCheckpointer } from './checkpointer.js';
import { CredentialStore } from './credential-store.js';
import { createDeskAlarms } from './desk-alarms.js';
import { createDeskTickets } from './desk-tickets.js';
import { createDeskTimerTable } from './desk-timer-table.js';
import { DeviceKeyStore } from './device-key-store.js';
import { KnowledgeBase } from './knowledge-store.js';
import { migrate } from './migrations.js';
import { pendingGroup } from './pending-writes.js';
import { promised } from './promised.js';
import { createQueries } from './queries.js';
import { ReportLoader } from './report-loader.js';
import { TicketLookup } from './ticket-lookup.js';
import { UserDirectory } from './user-directory.js';
import { createWebhookLog } from './webhook-log.js';
import { sqliteTicketViews } from './ticket-view-store.js';
import { sqliteAuditPage } from './audit-pages.js';

export const DB_FILE = 'faultline.db';
/** SQLite page cache of the store's connection. */
const CACHE_KIB = 64 * 1024;
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

export interface SqliteStoreOptions {
  dataDir: string;
  log: Logger;
  nowMs: number;
  /** WAL checkpoints in a worker thread instead of inside commits (the running collector; see checkpointer.ts). */
  backgroundCheckpoint?: boolean;
  /** Open an existing database without changing it (audit verify): no directory created, no migration. */
  readOnly?: boolean;
  /** scrypt cost for new password hashes (tests pass a cheap one) and the login session policy. */
  users?: { hashCost?: ScryptCost; sessionPolicy?: SessionPolicy };
  /** How long telemetry is kept, by sample time (default TELEMETRY_RETENTION_MS). */
  telemetryRetentionMs?: number;
  /** The database file, when not dataDir/faultline.db (a backup being checked; with readOnly). */
  file?: string;
  /** The WAL's size bound (default 64 MiB; tests pass a small one). */
  walLimitBytes?: number;
}

/** The port, plus what only the SQLite adapter has, for its own tests and tools (never the collector's code). */
export interface SqliteStore extends StorePort {
  readonly file: string;
  readonly db: Database.Database;
  /** The desk's tables outside a unit of work (each call its own statement). */
  readonly repo: DeskRepo;
}

function openDatabase(file: string, readOnly: boolean): Database.Database {
  try {
    return new Database(file, readOnly ? { readonly: true, fileMustExist: true } : {});
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot open database ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: readOnly ? 'pass the collector\'s --data-dir' : 'check that --data-dir exists or can be created and is writable',
    });
  }
}

function prepare(db: Database.Database, opts: SqliteStoreOptions, file: string): void {
  if (opts.readOnly) return;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // The working set of an ingest batch (hot tickets, alarms, index pages) stays in memory.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  // After a burst the WAL file is cut back to this size once a checkpoint has caught up.
  db.pragma(`journal_size_limit = ${opts.walLimitBytes ?? WAL_LIMIT_BYTES}`);
  const applied = migrate(db, opts.nowMs);
  if (applied.length) opts.log.info({ file, migrations: applied }, 'database schema migrated');
}

export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  if (!opts.readOnly) {
    try {
      mkdirSync(opts.dataDir, { recursive: true });
    } catch (cause) {
      throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot create data directory ${opts.dataDir}: ${(cause as Error).message}`, {
        cause, context: { dataDir: opts.dataDir }, hint: 'pass a writable --data-dir',
      });
    }
  }
  const file = opts.file ?? join(opts.dataDir, DB_FILE);
  const db = openDatabase(file, opts.readOnly ?? false);
  try {
    prepare(db, opts, file);
  } catch (err) {
    db.close();
    throw err;
  }
  const tickets = createDeskTickets(db);
  const alarms = createDeskAlarms(db);
  const timers = createDeskTimerTable(db);
  const audit = createAuditLog(db);
  const webhooks = createWebhookLog(db);
  const repo: DeskRepo = { tickets, alarms, timers, audit, webhooks };
  // Writes the desk parts keep back until just before a commit (see pending-writes.ts).
  const pending = pendingGroup([audit, alarms, timers]);
  // The desk's caches hold what the store holds; whatever a rollback undoes they must forget.
  const forgetCaches = (): void => {
    pending.discard();
    tickets.forget();
    alarms.forget();
  };
  // One wrapper for every unit: better-sqlite3 makes it BEGIN…COMMIT, or a SAVEPOINT when nested.
  // What is pending is written before a savepoint begins (so its rollback discards only its own) and before it ends.
  const inTransaction = db.transaction((fn: () => unknown) => {
    const result = fn();
    pending.flush();
    return result;
  });
  const transaction = <T>(fn: () => T): T => {
    if (db.inTransaction) pending.flush();
    try {
      return inTransaction(fn) as T;
    } catch (err) {
      forgetCaches();
      throw err;
    }
  };
  const unit: DeskUnit = { repo, savepoint: transaction };
  const writer = createBatchWriter(db, unit, {
    beforeCommit: pending.flush, onRollback: forgetCaches,
    ...(opts.telemetryRetentionMs === undefined ? {} : { telemetryRetentionMs: opts.telemetryRetentionMs }),
  });
  const users = new UserDirectory(db, opts.users ?? {});
  const credentials = new CredentialStore(db);
  const kb = new KnowledgeBase(db);
  const kbTickets = new TicketLookup(db);
  const reports = new ReportLoader(db);
  // The write keys' master key lives beside the database, never in it.
  let deviceKeys: DeviceKeyStore | undefined;
  const lease = db.prepare<[number, number]>('UPDATE webhook_deliveries SET next_attempt_ms = ? WHERE id = ?');
  /** One process owns the file: the due ones, moved to the lease's end in one transaction. */
  const claimDeliveries = db.transaction((nowMs: number, limit: number, skip: ReadonlySet<number>, leaseUntilMs: number) => {
    const due = webhooks.due(nowMs, limit, skip);
    for (const d of due) lease.run(leaseUntilMs, d.id);
    return due;
  });
  const keys = (): DeviceKeyStore => (deviceKeys ??= new DeviceKeyStore(db, loadOrCreateKeyFile(opts.dataDir)));
  const checkpointer = opts.backgroundCheckpoint ? startCheckpointer(db, opts.log, undefined, opts.walLimitBytes ?? WAL_LIMIT_BYTES) : undefined;
  let closed = false;

  return {
    file,
    db,
    repo,
    location: file,
    ingest: {
      commit: async (messages, nowMs) => {
        const outcomes = writer.commit(messages, nowMs);
        checkpointer?.afterCommit();
        return outcomes;
      },
      setEventProcessor: (p) => writer.setEventProcessor(p),
    },
    desk: {
      transaction: async (scope, fn) => transaction(() => {
        // One process owns the file: a timer still due inside the transaction is this unit's.
        const claim = scope.claim;
        if (!claim) return fn(unit);
        const due = timers.get(claim.kind, claim.key);
        return fn({ ...unit, claimed: due !== undefined && due.dueMs <= claim.dueBy });
      }),
      nextTimer: async () => timers.next(),
      dueTimers: async (nowMs, limit) => timers.due(nowMs, limit),
      calendarsInUse: async () => tickets.calendarsInUse(),
      ticketsWithoutSlaDue: async (limit) => tickets.ticketsWithoutSlaDue(limit),
    },
    queries: createQueries(db, tickets, alarms),
    audit: {
      append: async (records) => { if (records.length > 0) transaction(() => audit.append(records)); },
      list: async (filter) => audit.list(filter),
      page: async (query) => sqliteAuditPage(db, query),
      verify: async (anchors) => verifyAuditChain(db, anchors),
      head: async () => auditHead(db),
      alarmHistory: async (f) => {
        const q = alarmHistoryQuery(f, { ph: () => '?', ilike: 'LIKE' });
        return (db.prepare(q.sql).all(...q.args) as AuditRow[]).map(recordFromRow);
      },
    },
    webhooks: {
      ...promised(webhooks, ['due', 'nextDueMs', 'recordAttempt', 'giveUp', 'list', 'get']),
      claim: async (nowMs, limit, skip, leaseUntilMs) => claimDeliveries(nowMs, limit, skip, leaseUntilMs),
      resend: async (id, nowMs) => {
        const changed = db.prepare(RESEND_FAILED_SQL.sqlite).run(nowMs, nowMs, id).changes;
        const d = webhooks.get(id);
        if (!d) throw deliveryNotFound(id);
        if (changed === 0) throw deliveryNotFailed(d);
        return d;
      },
      count: async (f) => (db.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE (@status IS NULL OR status = @status) AND (@webhook IS NULL OR webhook_id = @webhook)')
        .get({ status: f.status ?? null, webhook: f.webhookId ?? null }) as { n: number }).n,
    },
    users: promised(users.users, ['byName', 'byId', 'list', 'page', 'count', 'create', 'update', 'remove', 'verifyLogin', 'recordLogin', 'mustGet']),
    sessions: { policy: users.sessions.policy, ...promised(users.sessions, ['create', 'resolve', 'isLive', 'remove', 'removeForUser', 'countForUser', 'prune']) },
    tokens: promised(users.tokens, ['create', 'list', 'revoke', 'revokeAll', 'resolve']),
    credentials: promised(credentials, ['add', 'revoke', 'find', 'list', 'anyExists', 'changedSince', 'latestChange', 'rehash']),
    deviceKeys: {
      set: async (site, device, key, nowMs) => keys().set(site, device, key, nowMs),
      get: async (site, device) => keys().get(site, device),
      has: async (site, device) => keys().has(site, device),
      owners: async () => keys().owners(),
      delete: async (site, device) => keys().delete(site, device),
    },
    knowledge: {
      ...promised(kb, ['seed', 'get', 'forCode', 'search', 'create', 'update', 'review', 'fixedTickets', 'recordFix']),
      learn: async (change, ticketId, nowMs) => kb.transaction(() => {
        const entry = change.entryId === undefined ? kb.create(change.draft, nowMs) : kb.update(change.entryId, change.draft, nowMs);
        if (!entry) return undefined;
        kb.recordFix(entry.id, ticketId, nowMs);
        return kb.get(entry.id) ?? entry;
      }),
      ticket: async (ref) => kbTickets.find(ref),
    },
    reports: { load: async (period, filter) => reports.load(period, filter) },
    // One process owns the file: its own desk announces every change in process.
    cluster: { shared: false, onRemote: () => () => undefined, onRemoteDevices: () => () => undefined, onRemoteSettings: () => () => undefined },
    loginFailures: createLoginFailureStore(db),
    retention: createEventRetention(db),
    ticketViews: sqliteTicketViews(db),
    onCallOverrides: createOnCallOverrideStore(db),
    pagingPrefs: createPagingPrefsStore(db),
    async close() {
      if (closed) return;
      closed = true;
      checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}
