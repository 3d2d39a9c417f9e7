/**
 * The SQLite store: one file `faultline.db` in the data directory, WAL journal,
 * synchronous=NORMAL (a commit survives a process crash; the last commits before a power cut
 * may be lost), foreign keys on, schema migrated on open. The running collector checkpoints the
 * WAL from a worker thread (checkpointer.ts); writes the desk parts keep back within a transaction
 * (pending-writes.ts) are flushed before every commit and discarded with every rollback.
 *
 * Retention: events and tickets are kept forever (backup/archiving is a later issue); the
 * telemetry table keeps 24 h by sample time (TELEMETRY_RETENTION_MS, pruned at most once a
 * minute inside an ingest transaction). There is no per-device row cap: a device that floods
 * telemetry grows the table until its samples age out.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FaultlineError } from '../../protocol/errors.js';
import type { Logger } from '../../bin/log.js';
import { createAuditLog, type AuditLog } from './audit-log.js';
import { createBatchWriter, type BatchWriter } from './batch-writer.js';
import { startCheckpointer } from './checkpointer.js';
import { createDeskAlarms, type DeskAlarms } from './desk-alarms.js';
import { createDeskTickets, type DeskTickets } from './desk-tickets.js';
import { createDeskTimerTable, type DeskTimerTable } from './desk-timer-table.js';
import { migrate } from './migrations.js';
import { pendingGroup } from './pending-writes.js';
import { createQueries, type Queries } from './queries.js';
import { createSimpleTicketProcessor } from './simple-tickets.js';
import { createWebhookLog, type WebhookLog } from './webhook-log.js';

export const DB_FILE = 'faultline.db';
/** SQLite page cache of the store's connection. */
const CACHE_KIB = 64 * 1024;
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

/** The service desk's tables; every call is synchronous and joins the caller's transaction. */
export interface DeskRepo {
  tickets: DeskTickets;
  alarms: DeskAlarms;
  timers: DeskTimerTable;
  audit: AuditLog;
  webhooks: WebhookLog;
}

export interface Store extends BatchWriter, Queries {
  readonly file: string;
  /** The connection itself, for the parts that keep their own tables (credentials, knowledge base, reports). */
  readonly db: Database.Database;
  readonly desk: DeskRepo;
  /** Runs fn in one transaction (a savepoint when already inside one); rolls back if it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  dataDir: string;
  log: Logger;
  nowMs: number;
  /** WAL checkpoints in a worker thread instead of inside commits (the running collector; see checkpointer.ts). */
  backgroundCheckpoint?: boolean;
}

function openDatabase(file: string): Database.Database {
  try {
    return new Database(file);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot open database ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: 'check that --data-dir exists or can be created and is writable',
    });
  }
}

export function openStore(opts: OpenStoreOptions): Store {
  try {
    mkdirSync(opts.dataDir, { recursive: true });
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot create data directory ${opts.dataDir}: ${(cause as Error).message}`, {
      cause, context: { dataDir: opts.dataDir }, hint: 'pass a writable --data-dir',
    });
  }
  const file = join(opts.dataDir, DB_FILE);
  const db = openDatabase(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // The working set of an ingest batch (hot tickets, alarms, index pages) stays in memory.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    // After a burst the WAL file is cut back to this size once a checkpoint has caught up.
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    const applied = migrate(db, opts.nowMs);
    if (applied.length) opts.log.info({ file, migrations: applied }, 'database schema migrated');
  } catch (err) {
    db.close();
    throw err;
  }
  const desk: DeskRepo = {
    tickets: createDeskTickets(db), alarms: createDeskAlarms(db), timers: createDeskTimerTable(db),
    audit: createAuditLog(db), webhooks: createWebhookLog(db),
  };
  // Writes the desk parts keep back until just before a commit (see pending-writes.ts).
  const pending = pendingGroup([desk.audit, desk.alarms, desk.timers]);
  // The desk's caches hold what the store holds; whatever a rollback undoes they must forget.
  const forgetCaches = (): void => {
    pending.discard();
    desk.tickets.forget();
    desk.alarms.forget();
  };
  const writer = createBatchWriter(db, createSimpleTicketProcessor(db), { beforeCommit: pending.flush, onRollback: forgetCaches });
  // One wrapper for every call: better-sqlite3 makes it BEGIN…COMMIT, or a SAVEPOINT when nested.
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
  const queries = createQueries(db, desk.tickets);
  const checkpointer = opts.backgroundCheckpoint ? startCheckpointer(db, opts.log) : undefined;
  return {
    file,
    db,
    desk,
    ...writer,
    ...queries,
    transaction,
    close() {
      checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}
