/**
 * A ticket page's SQL, shared by both store adapters: the filter (WHERE), the sort expression per
 * column, and a ticket's value in that sort (where the next page starts). `text` wraps a text
 * column so both databases compare it byte by byte (PostgreSQL: COLLATE "C"). A page's rows carry
 * their sort value, so the next page's position comes from the database's own value (the SLA due
 * instant is a column of the row, not a field of the ticket).
 */
import { keysetAfter, keysetOrder, type Placeholder } from './keyset-sql.js';
import type { PagePosition, TicketPageQuery, TicketSort } from './port/paging.js';

/** Where tickets without an SLA due instant go: after every instant, whichever the direction. */
const NO_DUE_ASC = Number.MAX_SAFE_INTEGER;
const NO_DUE_DESC = -1;

const SORT_COLUMNS: Record<Exclude<TicketSort, 'sla'>, { column: string; nullable?: true; numeric?: true }> = {
  opened: { column: 'opened_at_ms', numeric: true },
  priority: { column: 'priority' },
  status: { column: 'status' },
  team: { column: 'team', nullable: true },
  assignee: { column: 'assignee', nullable: true },
  site: { column: 'site' },
  device: { column: 'device' },
  number: { column: 'number' },
};

/** The expression a sort orders by; the SLA sort puts tickets without a due instant last in both directions. */
export function sortExpr(sort: TicketSort, dir: TicketPageQuery['dir'], text: (expr: string) => string): string {
  if (sort === 'sla') return `coalesce(sla_due_ms, ${dir === 'asc' ? NO_DUE_ASC : NO_DUE_DESC})`;
  const c = SORT_COLUMNS[sort];
  if (c.numeric) return c.column;
  return text(c.nullable ? `coalesce(${c.column}, '')` : c.column);
}

/** A page row: the ticket's id and its value in the sort (`k`), which is where the next page starts. */
export interface TicketPageRow { id: number | string; k: string | number }

export const ticketRowPosition = (r: TicketPageRow): PagePosition => ({ value: typeof r.k === 'string' ? r.k : Number(r.k), id: Number(r.id) });

/** The filter of a page query (without its position): what the total counts. */
export function ticketFilterSql(q: TicketPageQuery, ph: Placeholder): string[] {
  const where: string[] = [];
  const eq = (column: string, value: string | undefined): void => {
    if (value !== undefined) where.push(`${column} = ${ph(value)}`);
  };
  eq('status', q.status); eq('device', q.device); eq('site', q.site); eq('assignee', q.assignee); eq('team', q.team); eq('priority', q.priority);
  if (q.slaDueBeforeMs !== undefined) where.push(`sla_due_ms < ${ph(q.slaDueBeforeMs)}`);
  if (q.scope === 'open') where.push("status NOT IN ('resolved', 'closed')");
  else if (q.scope === 'current') where.push("status <> 'closed'");
  else if (q.scope === 'done') where.push("status IN ('resolved', 'closed')");
  return where;
}

export interface TicketPageSql {
  /** Selects the ids of the page and one more (whether there is a next page), each with its sort value `k`. */
  ids: string;
  /** Counts every ticket the filter matches. */
  count: string;
}

/** Both statements; `ph` of the count is called first (its parameters are the filter's alone). */
export function ticketPageSql(q: TicketPageQuery, countPh: Placeholder, pagePh: Placeholder, text: (expr: string) => string): TicketPageSql {
  const countWhere = ticketFilterSql(q, countPh);
  const where = ticketFilterSql(q, pagePh);
  const expr = sortExpr(q.sort, q.dir, text);
  if (q.after) where.push(keysetAfter(expr, 'id', q.dir, q.after, pagePh));
  const clause = (w: string[]): string => (w.length ? `WHERE ${w.join(' AND ')}` : '');
  return {
    count: `SELECT count(*) AS n FROM tickets ${clause(countWhere)}`,
    ids: `SELECT id, ${expr} AS k FROM tickets ${clause(where)} ${keysetOrder(expr, 'id', q.dir)} LIMIT ${pagePh(q.limit + 1)}`,
  };
}
