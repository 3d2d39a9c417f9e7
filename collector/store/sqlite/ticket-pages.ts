/** Pages of desk tickets on SQLite (keyset order, see ticket-page-sql.ts); tickets come through the desk's cache. */
import type { Database, Statement } from 'better-sqlite3';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import { nextPosition } from '../keyset-sql.js';
import type { DeskTickets } from '../port/desk-repo.js';
import type { Page, TicketPageQuery } from '../port/paging.js';
import { ticketPageSql, ticketPosition } from '../ticket-page-sql.js';
import { BoundedCache } from './bounded-cache.js';

export function sqliteTicketPages(db: Database, tickets: DeskTickets): (q: TicketPageQuery) => Page<DeskTicket> {
  // One statement per query shape (filters given, sort, direction, with or without a position).
  const statements = new BoundedCache<string, Statement>(256);
  const prepared = (sql: string): Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
  return (q) => {
    const countParams: unknown[] = [];
    const pageParams: unknown[] = [];
    const sql = ticketPageSql(q, (v) => { countParams.push(v); return '?'; }, (v) => { pageParams.push(v); return '?'; }, (e) => e);
    const total = (prepared(sql.count).get(...countParams) as { n: number }).n;
    const ids = (prepared(sql.ids).all(...pageParams) as Array<{ id: number }>).map((r) => r.id);
    const items = ids.slice(0, q.limit).flatMap((id) => {
      const t = tickets.get(id);
      return t ? [t] : [];
    });
    return { items, total, next: nextPosition(items, ids.length > q.limit, ticketPosition(q.sort)) };
  };
}
