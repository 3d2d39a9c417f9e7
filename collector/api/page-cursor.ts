/**
 * Page cursors as the API hands them out: an opaque base64url string that carries the sort, the
 * direction and the position the next page starts after. A cursor that is malformed, or that was
 * made for another sort or direction, is refused (FL_ERR_API_BAD_CURSOR) rather than guessed at.
 */
import { apiError } from './api-errors.js';
import type { PagePosition, SortDirection } from '../store/port/paging.js';

interface CursorBody { s: string; d: SortDirection; v: string | number; i: number }

export function encodeCursor(sort: string, dir: SortDirection, at: PagePosition | null): string | null {
  if (at === null) return null;
  const body: CursorBody = { s: sort, d: dir, v: at.value, i: at.id };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The position a cursor names, checked against the sort it is used with (`numeric`: the sort's values are numbers). */
export function decodeCursor(cursor: string, sort: string, dir: SortDirection, numeric: boolean): PagePosition {
  const bad = (why: string) => apiError('FL_ERR_API_BAD_CURSOR', `bad page cursor: ${why}`, { sort, dir });
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor this API made');
  }
  if (typeof body !== 'object' || body === null) throw bad('not a cursor this API made');
  const b = body as Partial<CursorBody>;
  if (b.s !== sort || b.d !== dir) throw bad(`it pages ${String(b.s)} ${String(b.d)}, not ${sort} ${dir}`);
  if (typeof b.i !== 'number' || !Number.isSafeInteger(b.i)) throw bad('no position');
  const value = b.v;
  if (numeric ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string') return { value: value as string | number, id: b.i };
  throw bad('its value does not fit the sort');
}
