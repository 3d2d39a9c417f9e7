/** Multi-row statements (n rows per INSERT, n ids per IN list), prepared once per row count. */
import type { Database, Statement } from 'better-sqlite3';

export function statementsByCount(db: Database, sql: (n: number) => string): (n: number) => Statement {
  const byCount = new Map<number, Statement>();
  return (n) => {
    let st = byCount.get(n);
    if (!st) {
      st = db.prepare(sql(n));
      byCount.set(n, st);
    }
    return st;
  };
}

/** `n` copies of a row's placeholders, e.g. rowsOf(2, '(?, ?)') = '(?, ?), (?, ?)'. */
export function rowsOf(n: number, placeholders: string): string {
  return Array.from({ length: n }, () => placeholders).join(', ');
}
