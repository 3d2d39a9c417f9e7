/**
 * User and event pages' SQL, shared by both store adapters (keyset order, see keyset-sql.ts).
 * Users: username order in bytes (`text` wraps a text column so both databases compare bytes),
 * the id as tie-break. Events: newest received first, the event id as tie-break; a position's
 * value is "receivedMs/eventId" (a number never holds "/", so the first "/" splits it).
 */
import type { StoredEvent } from '../core/tickets/ticket.js';
import { keysetAfter, keysetOrder, type Placeholder } from './keyset-sql.js';
import type { EventPageQuery, PagePosition, UserPageQuery } from './port/paging.js';
import type { UserRecord } from './port/users.js';

export const userPosition = (u: UserRecord): PagePosition => ({ value: u.username, id: u.id });

export function userPageSql(q: UserPageQuery, ph: Placeholder, text: (expr: string) => string): string {
  const name = text('username');
  const where = q.after ? `WHERE ${keysetAfter(name, 'id', 'asc', q.after, ph)}` : '';
  return `SELECT * FROM users ${where} ${keysetOrder(name, 'id', 'asc')} LIMIT ${ph(q.limit + 1)}`;
}

export const eventPosition = (e: StoredEvent): PagePosition => ({ value: `${e.receivedMs}/${e.id}`, id: 0 });

/** The position's received time and event id; undefined when the value is not "receivedMs/eventId". */
export function eventPositionParts(p: PagePosition): { receivedMs: number; id: string } | undefined {
  const value = String(p.value);
  const cut = value.indexOf('/');
  const receivedMs = Number(value.slice(0, cut));
  if (cut < 1 || !Number.isSafeInteger(receivedMs)) return undefined;
  return { receivedMs, id: value.slice(cut + 1) };
}

function eventFilterSql(q: EventPageQuery, ph: Placeholder): string[] {
  const where: string[] = [];
  const eq = (column: string, value: string | number | undefined): void => {
    if (value !== undefined) where.push(`${column} = ${ph(value)}`);
  };
  eq('site', q.site); eq('device', q.device); eq('code', q.code); eq('ticket_id', q.ticketId);
  return where;
}

export interface EventPageSql {
  /** The page's rows and one more (whether there is a next page); `columns` is the select list. */
  rows: (columns: string) => string;
  /** Counts every event the filter matches. */
  count: string;
}

/** Both statements; `countPh` gets the filter's parameters alone. A position that is not an event's matches nothing (the API refuses such a cursor first). */
export function eventPageSql(q: EventPageQuery, countPh: Placeholder, pagePh: Placeholder, text: (expr: string) => string): EventPageSql {
  const clause = (w: string[]): string => (w.length ? `WHERE ${w.join(' AND ')}` : '');
  const countWhere = eventFilterSql(q, countPh);
  const where = eventFilterSql(q, pagePh);
  const at = q.after ? eventPositionParts(q.after) : undefined;
  const id = text('id');
  if (at) where.push(`(received_ms < ${pagePh(at.receivedMs)} OR (received_ms = ${pagePh(at.receivedMs)} AND ${id} < ${pagePh(at.id)}))`);
  else if (q.after) where.push('1 = 0');
  const limit = pagePh(q.limit + 1);
  return {
    count: `SELECT count(*) AS n FROM events ${clause(countWhere)}`,
    rows: (columns) => `SELECT ${columns} FROM events ${clause(where)} ORDER BY received_ms DESC, ${id} DESC LIMIT ${limit}`,
  };
}
