/**
 * Background WAL checkpoints for the collector's store. SQLite's automatic checkpoint runs inside
 * the commit that crosses `wal_autocheckpoint` pages: every few ingest batches one commit also
 * copies a thousand pages into the database file and fsyncs it, on the event loop, delaying every
 * PUBACK and API call behind it. With the checkpointer the writer's automatic checkpoint is off and
 * a worker thread with its own connection checkpoints passively a few times a second (on the
 * machine's other core). If the worker fails, the writer's automatic checkpoint comes back on.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../../../protocol/logger.js';
import type { CheckpointReport, CheckpointSetup } from './checkpoint-worker.js';

/** The writer's automatic checkpoint threshold (pages) when the worker is not there: SQLite's default. */
export const WRITER_AUTOCHECKPOINT_PAGES = 1000;
export const CHECKPOINT_INTERVAL_MS = 200;

export interface Checkpointer {
  /** Stops the worker (its connection closes with it); the writer checkpoints by itself again. */
  stop(): void;
  /**
   * Called by the writer after each commit, outside any transaction. Under a load that never pauses
   * the passive checkpoints never catch up at a moment no one writes, so SQLite never starts the WAL
   * over and it grows without end (248 MB in issue 15). Past its limit the writer itself runs a
   * TRUNCATE checkpoint: it copies only the frames the worker has not, and empties the file. (The
   * worker cannot: a TRUNCATE there makes the writer's next commit fail with SQLITE_BUSY.)
   */
  afterCommit(): void;
}

/** The WAL size past which the worker forces a truncating checkpoint (the store's journal_size_limit). */
export const DEFAULT_WAL_LIMIT_BYTES = 64 * 1024 * 1024;

export function startCheckpointer(db: Database, log: Logger, intervalMs = CHECKPOINT_INTERVAL_MS, walLimitBytes = DEFAULT_WAL_LIMIT_BYTES): Checkpointer {
  const setup: CheckpointSetup = { file: db.name, intervalMs };
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: setup });
  worker.unref();
  let running = true;
  const fallBack = (why: string): void => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    log.warn({ reason: why }, 'background checkpoints stopped; the writer checkpoints by itself again');
  };
  worker.on('message', (m: CheckpointReport) => { if (m.kind === 'failed') fallBack(m.message); });
  worker.on('error', (err) => fallBack(err.message));
  worker.on('exit', (code) => fallBack(`checkpoint worker exited (${code})`));
  db.pragma('wal_autocheckpoint = 0');
  const wal = `${db.name}-wal`;
  return {
    afterCommit() {
      let bytes = 0;
      try {
        bytes = statSync(wal).size;
      } catch {
        return;
      }
      if (bytes <= walLimitBytes || !db.open || db.inTransaction) return;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'truncating checkpoint not possible now; trying after a later commit');
      }
    },
    stop() {
      if (!running) return;
      running = false;
      worker.postMessage('stop');
    },
  };
}
