/**
 * Reading a whole list from an API route that pages (a `nextCursor` per page): page after page,
 * at most `maxPages`, so a list the screen keeps in full (the board, the alarm console) is not cut
 * at one page. `path` carries the filter (and its own `?`).
 */
import { api } from './api';

export async function allPages<T>(path: string, key: string, opts: { maxPages: number; isAlive?: () => boolean }): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let pages = 0; pages < opts.maxPages; pages++) {
    const page: Record<string, unknown> & { nextCursor: string | null } = await api.get<Record<string, unknown> & { nextCursor: string | null }>(cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`);
    if (opts.isAlive && !opts.isAlive()) break;
    out.push(...(page[key] as T[]));
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return out;
}
