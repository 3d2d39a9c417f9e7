/**
 * One data directory, one collector. The lock is the one the agent's outbox relies on: an SQLite
 * file opened with `locking_mode = EXCLUSIVE` and written once, so the operating system holds its
 * lock for as long as the process lives (a second opener gets SQLITE_BUSY at once, timeout 0) and
 * drops it when the process ends, however it ends: the lock of a killed collector is simply taken
 * over by the next one. Who holds it (pid, host, start time) is written beside it in
 * `collector.holder.json`, for the message the next one prints.
 *
 * Taken first, before anything in the directory is read or written (the demo's device credentials
 * included), by the collector and the demo.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import '../../../runtime/sqlite-guard.js';
import { FaultlineError } from '../../../protocol/errors.js';

export const LOCK_FILE = 'collector.lock';
export const HOLDER_FILE = 'collector.holder.json';

export interface DataDirHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  since: string;
  /** What took it: collector, demo … */
  what: string;
}

export interface DataDirLock {
  readonly dataDir: string;
  /** The holder named by a file left behind: a process that ended without releasing (a crash, a kill). */
  readonly tookOverFrom: DataDirHolder | undefined;
  /** Lets the next collector in. Idempotent. */
  release(): void;
}

function readHolder(dataDir: string): DataDirHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as Partial<DataDirHolder>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.since !== 'string') return undefined;
    return { pid: v.pid, host: v.host, since: v.since, what: typeof v.what === 'string' ? v.what : 'collector' };
  } catch {
    return undefined;
  }
}

function describe(holder: DataDirHolder | undefined): string {
  return holder ? `${holder.what} pid ${holder.pid} on host ${holder.host} since ${holder.since}` : 'a process that has not said who it is yet';
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Takes the data directory for this process, or throws FL_ERR_STORE_DIR_IN_USE naming the holder. */
export function lockDataDir(dataDir: string, what = 'collector', nowMs = Date.now()): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(file, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in EXCLUSIVE mode it is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (n INTEGER); COMMIT');
  } catch (cause) {
    if (db?.open) db.close();
    if (isBusy(cause)) {
      const holder = readHolder(dataDir);
      throw new FaultlineError('FL_ERR_STORE_DIR_IN_USE', `data directory ${dataDir} is in use by another collector: ${describe(holder)}`, {
        cause, context: { dataDir, ...(holder ? { holder } : {}) },
        hint: 'run one collector per data directory: stop the other one, or give this one its own --data-dir',
      });
    }
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot lock data directory ${dataDir}: ${(cause as Error).message}`, {
      cause, context: { dataDir, file }, hint: 'check that --data-dir exists or can be created and is writable',
    });
  }
  const previous = readHolder(dataDir);
  const me: DataDirHolder = { pid: process.pid, host: hostname(), since: new Date(nowMs).toISOString(), what };
  const held = db;
  try {
    writeFileSync(join(dataDir, HOLDER_FILE), `${JSON.stringify(me)}\n`);
  } catch (cause) {
    held.close();
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot write ${join(dataDir, HOLDER_FILE)}: ${(cause as Error).message}`, {
      cause, context: { dataDir }, hint: 'check that --data-dir is writable',
    });
  }
  return {
    dataDir,
    // A holder file left behind names a process whose lock the system has already dropped.
    tookOverFrom: previous,
    release: () => {
      if (!held.open) return;
      rmSync(join(dataDir, HOLDER_FILE), { force: true });
      held.close();
    },
  };
}
