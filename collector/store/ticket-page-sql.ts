/**
 * A ticket page's SQL, shared by both store adapters: the filter (WHERE), the sort expression per
 * column, and a ticket's value in that sort (where the next page starts). `text` wraps a text
 * column so both databases compare it byte by byte (PostgreSQL: COLLATE "C").
 */
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import { keysetAfter, keysetOrder, type Placeholder } from './keyset-sql.js';
import type { PagePosition, TicketPageQuery, TicketSort } from './port/paging.js';

const SORT_COLUMNS: Record<TicketSort, { column: string; nullable?: true; numeric?: true }> = {
  opened: { column: 'opened_at_ms', numeric: true },
  priority: { column: 'priority' },
  status: { column: 'status' },
  team: { column: 'team', nullable: true },
  assignee: { column: 'assignee', nullable: true },
  site: { column: 'site' },
  device: { column: 'device' },
  number: { column: 'number' },
};

function sortExpr(sort: TicketSort, text: (expr: string) => string): string {
  const c = SORT_COLUMNS[sort];
  if (c.numeric) return c.column;
  return text(c.nullable ? `coalesce(${c.column}, '')` : c.column);
}

export function ticketSortValue(t: DeskTicket, sort: TicketSort): string | number {
  switch (sort) {
    case 'opened': return t.openedAtMs;
    case 'priority': return t.priority;
    case 'status': return t.status;
    case 'team': return t.team ?? '';
    case 'assignee': return t.assignee ?? '';
    case 'site': return t.site;
    case 'device': return t.device;
    case 'number': return t.number;
  }
}

export const ticketPosition = (sort: TicketSort) => (t: DeskTicket): PagePosition => ({ value: ticketSortValue(t, sort), id: t.id });

/** The filter of a page query (without its position): what the total counts. */
export function ticketFilterSql(q: TicketPageQuery, ph: Placeholder): string[] {
  const where: string[] = [];
  const eq = (column: string, value: string | undefined): void => {
    if (value !== undefined) where.push(`${column} = ${ph(value)}`);
  };
  eq('status', q.status); eq('device', q.device); eq('site', q.site); eq('assignee', q.assignee); eq('team', q.team); eq('priority', q.priority);
  if (q.scope === 'open') where.push("status NOT IN ('resolved', 'closed')");
  else if (q.scope === 'current') where.push("status <> 'closed'");
  else if (q.scope === 'done') where.push("status IN ('resolved', 'closed')");
  return where;
}

export interface TicketPageSql {
  /** Selects the ids of the page and one more (whether there is a next page). */
  ids: string;
  /** Counts every ticket the filter matches. */
  count: string;
}

/** Both statements; `ph` of the count is called first (its parameters are the filter's alone). */
export function ticketPageSql(q: TicketPageQuery, countPh: Placeholder, pagePh: Placeholder, text: (expr: string) => string): TicketPageSql {
  const countWhere = ticketFilterSql(q, countPh);
  const where = ticketFilterSql(q, pagePh);
  const expr = sortExpr(q.sort, text);
  if (q.after) where.push(keysetAfter(expr, 'id', q.dir, q.after, pagePh));
  const clause = (w: string[]): string => (w.length ? `WHERE ${w.join(' AND ')}` : '');
  return {
    count: `SELECT count(*) AS n FROM tickets ${clause(countWhere)}`,
    ids: `SELECT id FROM tickets ${clause(where)} ${keysetOrder(expr, 'id', q.dir)} LIMIT ${pagePh(q.limit + 1)}`,
  };
}
