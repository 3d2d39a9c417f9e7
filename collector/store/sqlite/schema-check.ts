/** Schema checks the SQLite repositories make when they are built. */
import type { Database } from 'better-sqlite3';

/** Whether the database has a table (used to give a clear error when a migration was not wired). */
export function hasTable(db: Database, table: string): boolean {
  return db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(table)?.n === 1;
}
