/**
 * Opens the collector's SQLite file outside the collector process (the `faultline device` CLI,
 * tests): same pragmas as the store, migrated with the store's list plus the security and
 * knowledge migrations when that list does not carry them yet (matched by name, so this is a
 * no-op once the composition root has appended them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FaultlineError } from '../../protocol/errors.js';
import { migrate, MIGRATIONS, type Migration } from '../store/migrations.js';
import { KNOWLEDGE_MIGRATIONS } from '../store/migrations-knowledge.js';
import { SECURITY_MIGRATIONS } from '../store/migrations-security.js';
import { DB_FILE } from '../store/store.js';

/** `base` plus those of `extra` whose name it lacks, ordered by version. */
export function withMigrations(base: readonly Migration[], ...extra: ReadonlyArray<readonly Migration[]>): Migration[] {
  const names = new Set(base.map((m) => m.name));
  const all = [...base, ...extra.flat().filter((m) => !names.has(m.name))];
  return all.sort((a, b) => a.version - b.version);
}

export const ALL_MIGRATIONS: readonly Migration[] = withMigrations(MIGRATIONS, SECURITY_MIGRATIONS, KNOWLEDGE_MIGRATIONS);

/** Opens (creating when missing) `{dataDir}/faultline.db`, migrated. The caller closes it. */
export function openCollectorDatabase(dataDir: string, nowMs: number): Database.Database {
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, DB_FILE));
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot open the collector database in ${dataDir}: ${(cause as Error).message}`, {
      cause, context: { dataDir }, hint: 'pass the collector\'s --data-dir; it must be writable',
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, nowMs, ALL_MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Whether the database has a table (used to give a clear error when a migration was not wired). */
export function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(table)?.n === 1;
}
