/** Pages of desk tickets, alarms and fault events on SQLite (keyset order, see ticket-page-sql.ts, alarm-page-sql.ts); tickets come through the desk's cache. */
import { statementCache } from './statement-cache.js';
import type { Database } from 'better-sqlite3';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import { nextPosition } from '../keyset-sql.js';
import { alarmPageSql, alarmPosition, storedAlarmFromRow, type AlarmRowData } from '../alarm-page-sql.js';
import type { DeskTickets, StoredAlarm } from '../port/desk-repo.js';
import type { AlarmPageQuery, EventPageQuery, Page, TicketPageQuery } from '../port/paging.js';
import type { StoredEvent } from '../../core/tickets/ticket.js';
import { eventPageSql, eventPosition } from '../list-page-sql.js';
import { eventFromRow, type EventRow } from './row-mapping.js';
import { ticketPageSql, ticketRowPosition, type TicketPageRow } from '../ticket-page-sql.js';

export interface SqlitePages {
  tickets(q: TicketPageQuery): Page<DeskTicket>;
  alarms(q: AlarmPageQuery): Page<StoredAlarm>;
  events(q: EventPageQuery): Page<StoredEvent>;
}

export function sqlitePages(db: Database, tickets: DeskTickets): SqlitePages {
  // One statement per query shape (filters given, sort, direction, with or without a position).
  const prepared = statementCache(db);
  const params = (): { list: unknown[]; ph: (v: unknown) => string } => {
    const list: unknown[] = [];
    return { list, ph: (v) => { list.push(v); return '?'; } };
  };
  return {
    tickets(q) {
      const c = params();
      const p = params();
      const sql = ticketPageSql(q, c.ph, p.ph, (e) => e);
      const total = (prepared(sql.count).get(...c.list) as { n: number }).n;
      const rows = (prepared(sql.ids).all(...p.list) as TicketPageRow[]).slice(0, q.limit + 1);
      const shown = rows.slice(0, q.limit);
      const items = shown.flatMap((r) => {
        const t = tickets.get(Number(r.id));
        return t ? [t] : [];
      });
      return { items, total, next: nextPosition(shown, rows.length > q.limit, ticketRowPosition) };
    },
    alarms(q) {
      const c = params();
      const p = params();
      const sql = alarmPageSql(q, c.ph, p.ph, (b) => (b ? 1 : 0));
      const total = (prepared(sql.count).get(...c.list) as { n: number }).n;
      const rows = (prepared(sql.rows).all(...p.list) as AlarmRowData[]).map(storedAlarmFromRow);
      const items = rows.slice(0, q.limit);
      return { items, total, next: nextPosition(items, rows.length > q.limit, alarmPosition) };
    },
    events(q) {
      const c = params();
      const p = params();
      const sql = eventPageSql(q, c.ph, p.ph, (e) => e);
      const total = (prepared(sql.count).get(...c.list) as { n: number }).n;
      const rows = (prepared(sql.rows('*')).all(...p.list) as EventRow[]).map(eventFromRow);
      const items = rows.slice(0, q.limit);
      return { items, total, next: nextPosition(items, rows.length > q.limit, eventPosition) };
    },
  };
}
