/**
 * How the PostgreSQL adapter reads values back, chosen so that rows look like the SQLite adapter's
 * (and its pure row mappers apply unchanged): BIGINT as a JS number (pool.ts), BOOLEAN as 1/0, and
 * JSON/JSONB as their text (the mappers parse what they read; audit details and webhook bodies are
 * TEXT columns anyway). Only this adapter's pools use these parsers; the global ones stay untouched.
 */
import pg from 'pg';
import { PG_TYPES, type Queryable } from './pool.js';

const BOOL_OID = 16;
const JSON_OID = 114;
const JSONB_OID = 3802;

export const STORE_PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === BOOL_OID) return (text: string): number => (text === 't' ? 1 : 0);
      if (oid === JSON_OID || oid === JSONB_OID) return (text: string): string => text;
    }
    return PG_TYPES.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** "$1, $2, …" for n parameters starting after `offset`. */
export function placeholders(n: number, offset = 0): string {
  return Array.from({ length: n }, (_, i) => `$${offset + i + 1}`).join(', ');
}

/** "($1, $2), ($3, $4)" for `rows` rows of `width` parameters. */
export function rowPlaceholders(rows: number, width: number): string {
  return Array.from({ length: rows }, (_, r) => `(${placeholders(width, r * width)})`).join(', ');
}

/** Multi-row INSERT in chunks (PostgreSQL allows 65535 parameters per statement). */
export async function insertRows(q: Queryable, head: string, width: number, rows: ReadonlyArray<readonly unknown[]>, tail = ''): Promise<number> {
  const perStatement = Math.max(1, Math.floor(60_000 / width));
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const res = await q.query(`${head} VALUES ${rowPlaceholders(chunk.length, width)} ${tail}`, chunk.flat());
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}
