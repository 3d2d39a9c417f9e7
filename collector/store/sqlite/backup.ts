/**
 * Backup and restore of the SQLite store. A backup is SQLite's online backup (better-sqlite3's
 * `db.backup`) of a live collector's database, in one step, so a busy writer cannot make it start
 * over; readers never block the writer in WAL mode, so ingest goes on meanwhile. The copy is
 * checked (integrity and the audit chain) before it is called a backup. A restore copies a checked
 * backup into a data directory no collector holds (the data-dir lock), setting the database there
 * aside first. The device-key file is never in a backup: it is copied apart, by hand.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import '../../../runtime/sqlite-guard.js';
import { FaultlineError } from '../../../protocol/errors.js';
import { silentLogger } from '../../../protocol/logger.js';
import { lockDataDir } from './data-dir-lock.js';
import type { ChainCheck } from '../port.js';
import { DB_FILE, openSqliteStore } from './sqlite-store.js';

export interface BackupCheck {
  file: string;
  bytes: number;
  events: number;
  tickets: number;
  audit: ChainCheck;
}

function fail(message: string, cause: unknown, context: Record<string, unknown>, hint: string): FaultlineError {
  return cause instanceof FaultlineError ? cause : new FaultlineError('FL_ERR_STORE_BACKUP', `${message}: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause, context, hint });
}

/** Checks a database file: SQLite's integrity check, the audit chain, counts. Throws when it is not a sound faultline database. */
export async function checkDatabaseFile(file: string): Promise<BackupCheck> {
  const raw = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(raw.pragma('integrity_check(1)', { simple: true }));
    if (integrity !== 'ok') throw new FaultlineError('FL_ERR_STORE_BACKUP', `${file} fails SQLite's integrity check: ${integrity}`, { context: { file }, hint: 'take the backup again' });
  } finally {
    raw.close();
  }
  const dir = resolve(file, '..');
  const store = openSqliteStore({ dataDir: dir, log: silentLogger(), nowMs: Date.now(), readOnly: true, file });
  try {
    const counts = await store.queries.counts();
    const audit = await store.audit.verify();
    if (!audit.ok) throw new FaultlineError('FL_ERR_STORE_BACKUP', `${file}: the audit chain is broken at row ${audit.brokenSeq}: ${audit.reason}`, { context: { file }, hint: 'restore an older backup' });
    const bytes = (store.db.pragma('page_count', { simple: true }) as number) * (store.db.pragma('page_size', { simple: true }) as number);
    return { file, bytes, events: counts.events, tickets: counts.tickets, audit };
  } finally {
    await store.close();
  }
}

/** Copies the live database of `dataDir` to `out` (which must not exist) and checks the copy. */
export async function backupDatabase(dataDir: string, out: string): Promise<BackupCheck> {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) throw new FaultlineError('FL_ERR_STORE_BACKUP', `no database in ${dataDir} (${source} is missing)`, { context: { dataDir }, hint: 'pass the collector\'s --data-dir' });
  if (existsSync(out)) throw new FaultlineError('FL_ERR_STORE_BACKUP', `${out} exists already`, { context: { out }, hint: 'name a new file; a backup never overwrites one' });
  const partial = `${out}.partial`;
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // Step 1 copies nothing and reports the size; step 2 copies every page at once (see better-sqlite3's backup.js).
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (cause) {
    rmSync(partial, { force: true });
    throw fail(`cannot back up ${source} to ${out}`, cause, { source, out }, 'check that the target directory exists and has room');
  } finally {
    db.close();
  }
  try {
    const check = await checkDatabaseFile(partial);
    renameSync(partial, out);
    return { ...check, file: out };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/** Puts a checked backup in place as `dataDir`'s database; a database there is moved aside (returned). */
export async function restoreDatabase(backup: string, dataDir: string, nowMs = Date.now()): Promise<{ check: BackupCheck; setAside: string | null }> {
  await checkDatabaseFile(backup);
  const lock = lockDataDir(dataDir, 'restore', nowMs); // no collector may run on it meanwhile
  try {
    const target = join(dataDir, DB_FILE);
    let setAside: string | null = null;
    if (existsSync(target)) {
      setAside = `${target}.before-restore-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, setAside);
      for (const side of ['-wal', '-shm']) if (existsSync(target + side)) renameSync(target + side, setAside + side);
    }
    try {
      copyFileSync(backup, `${target}.restoring`);
      renameSync(`${target}.restoring`, target);
    } catch (cause) {
      throw fail(`cannot copy ${backup} to ${target}`, cause, { backup, target }, 'check the data directory is writable and has room');
    }
    return { check: await checkDatabaseFile(target), setAside };
  } finally {
    lock.release();
  }
}
