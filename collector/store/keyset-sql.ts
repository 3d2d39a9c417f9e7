/**
 * SQL for keyset pages, shared by both store adapters: the ORDER BY of a sort key with the id as
 * tie-break, and the condition "after this position" in that order. Values go through `ph`, which
 * adds a parameter and returns its placeholder (`?` for SQLite, `$n` for PostgreSQL).
 */
import type { PagePosition, SortDirection } from './port/paging.js';

export type Placeholder = (value: unknown) => string;

export function keysetOrder(expr: string, idExpr: string, dir: SortDirection): string {
  const d = dir === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${expr} ${d}, ${idExpr} ${d}`;
}

export function keysetAfter(expr: string, idExpr: string, dir: SortDirection, after: PagePosition, ph: Placeholder): string {
  const op = dir === 'asc' ? '>' : '<';
  return `(${expr} ${op} ${ph(after.value)} OR (${expr} = ${ph(after.value)} AND ${idExpr} ${op} ${ph(after.id)}))`;
}

/** The next page's position: after the last item, when the query found more than the page holds. */
export function nextPosition<T>(items: readonly T[], more: boolean, position: (last: T) => PagePosition): PagePosition | null {
  const last = items[items.length - 1];
  return more && last !== undefined ? position(last) : null;
}
