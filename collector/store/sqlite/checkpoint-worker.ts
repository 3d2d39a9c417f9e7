/**
 * Worker thread of the background checkpointer (see checkpointer.ts): its own connection to the
 * database runs PASSIVE WAL checkpoints every `intervalMs`, so copying committed pages back into the
 * database file (and its fsync) never runs inside an ingest commit on the main thread. A passive
 * checkpoint never blocks the writer or readers. Parent → worker: 'stop'. Worker → parent:
 * CheckpointReport on a failure (the parent falls back to checkpoints in the writer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import '../../../runtime/sqlite-guard.js';
import { FaultlineError } from '../../../protocol/errors.js';

export interface CheckpointSetup {
  file: string;
  intervalMs: number;
}

export type CheckpointReport = { kind: 'failed'; message: string } | { kind: 'stopped' };

const setup = workerData as CheckpointSetup;
const port = parentPort;
if (!port) throw new FaultlineError('FL_ERR_INTERNAL', 'checkpoint-worker runs as a worker thread (see checkpointer.ts)');
const db = new Database(setup.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    clearInterval(timer);
    db.close();
    port.postMessage({ kind: 'failed', message: (err as Error).message } satisfies CheckpointReport);
    port.close();
  }
}, setup.intervalMs);
port.on('message', (m: string) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  if (db.open) db.close();
  port.postMessage({ kind: 'stopped' } satisfies CheckpointReport);
  port.close();
});
