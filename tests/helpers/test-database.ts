/** The collector's SQLite file, opened and migrated the one way the store opens it, as a raw handle for tests of the SQLite adapter's parts. */
import type Database from 'better-sqlite3';
import { silentLogger } from '../../protocol/logger.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { TEST_USERS } from './api-auth.js';

export function openTestDatabase(dataDir: string, nowMs: number): Database.Database {
  return openTestStore(dataDir, nowMs).db;
}

/** The same as the store the collector opens (the port, with the adapter's handle for raw checks). */
export function openTestStore(dataDir: string, nowMs: number): SqliteStore {
  return openSqliteStore({ dataDir, nowMs, log: silentLogger(), users: TEST_USERS });
}
