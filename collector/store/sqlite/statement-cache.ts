/** Statements built from a query's shape, prepared once per shape (bounded: shapes come from filter combinations). */
import type { Database, Statement } from 'better-sqlite3';
import { BoundedCache } from './bounded-cache.js';

export function statementCache(db: Database, max = 256): (sql: string) => Statement {
  const statements = new BoundedCache<string, Statement>(max);
  return (sql) => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
}
