/**
 * SQL for desk tickets: load and save whole DeskTickets (comments in their own table), number new
 * ones, find correlation candidates, count open tickets per member. Synchronous (better-sqlite3),
 * so it runs inside the caller's transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Category } from '../../protocol/values.js';
import type { CandidateTicket } from '../core/correlation.js';
import type { DeskTicket, NewDeskTicket, TicketComment } from '../core/desk-ticket.js';
import type { OpenLoad } from '../core/assignment.js';
import { formatTicketNumber, ticketDay } from '../core/ticket-number.js';
import type { Priority, TicketStatus } from '../core/ticket.js';
import {
  commentFromRow, commentToRow, DESK_TICKET_COLUMNS, deskTicketFromRow, deskTicketParams, IMMUTABLE_TICKET_COLUMNS, mutableTicketParams,
  type CommentRow, type DeskTicketRow,
} from './desk-ticket-rows.js';

export interface DeskTicketFilter {
  status?: TicketStatus;
  device?: string;
  site?: string;
  assignee?: string;
  team?: string;
  priority?: Priority;
  limit: number;
}

export interface DeskTickets {
  get(id: number): DeskTicket | undefined;
  getByNumber(number: string): DeskTicket | undefined;
  list(filter: DeskTicketFilter): DeskTicket[];
  /** Stores a new ticket, numbered for the UTC day of `dayMs`; returns it with id and number. */
  insert(t: NewDeskTicket, dayMs: number): DeskTicket;
  /**
   * Writes the ticket back and appends comments not stored yet. With `before` (the ticket as loaded)
   * only the columns that changed are written, which spares the indexes of the others.
   */
  save(t: DeskTicket, before?: DeskTicket): void;
  /** Tickets of one fault key that correlation may continue: not closed, or closed but resolved since `resolvedSinceMs`. */
  sameFault(site: string, device: string, code: string, resolvedSinceMs: number): CandidateTicket[];
  /** Open site parents at the site, and open unparented tickets of `category` opened since `openedSinceMs`. */
  siteWide(site: string, category: Category, openedSinceMs: number): CandidateTicket[];
  /** The newest ticket of a fault key that is not closed (a device's clear belongs to it). */
  currentForFault(site: string, device: string, code: string): DeskTicket | undefined;
  /** Open (not resolved or closed) tickets per assignee. */
  openLoad(): OpenLoad;
  /** Ids of every ticket that is not closed. */
  notClosedIds(): number[];
  /** Calendar ids the SLA clocks of tickets that are not closed run on. */
  calendarsInUse(): string[];
}

interface CandidateRow {
  id: number; site: string; device: string; code: string; category: string; status: string;
  opened_at_ms: number; resolved_at_ms: number | null; parent_id: number | null; site_parent: number;
}

const CANDIDATE_COLUMNS = 'id, site, device, code, category, status, opened_at_ms, resolved_at_ms, parent_id, site_parent';

function candidateFromRow(r: CandidateRow): CandidateTicket {
  return {
    id: r.id, site: r.site, device: r.device, code: r.code, category: r.category as Category, status: r.status as TicketStatus,
    openedAtMs: r.opened_at_ms, resolvedAtMs: r.resolved_at_ms, parentId: r.parent_id, siteParent: r.site_parent === 1,
  };
}

export function createDeskTickets(db: Database): DeskTickets {
  const cols = DESK_TICKET_COLUMNS.join(', ');
  const insert = db.prepare(`INSERT INTO tickets (number, ${cols}) VALUES (@number, ${DESK_TICKET_COLUMNS.map((c) => `@${c}`).join(', ')})`);
  const mutable = DESK_TICKET_COLUMNS.filter((c) => !IMMUTABLE_TICKET_COLUMNS.includes(c));
  const updates = new Map<string, Statement>();
  const updateOf = (columns: readonly string[]): Statement => {
    const key = columns.join(',');
    let st = updates.get(key);
    if (!st) {
      st = db.prepare(`UPDATE tickets SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      updates.set(key, st);
    }
    return st;
  };
  const nextDayCounter = db.prepare<[string], { last: number }>(`INSERT INTO ticket_day_counters (day, last) VALUES (?, 1)
    ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`);
  const byId = db.prepare<[number], DeskTicketRow>('SELECT * FROM tickets WHERE id = ?');
  const byNumber = db.prepare<[string], DeskTicketRow>('SELECT * FROM tickets WHERE number = ?');
  const comments = db.prepare<[number], CommentRow>('SELECT * FROM ticket_comments WHERE ticket_id = ? ORDER BY id');
  const commentCount = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM ticket_comments WHERE ticket_id = ?');
  const insertComment = db.prepare<[CommentRow]>(`INSERT INTO ticket_comments (ticket_id, at_ms, author_kind, author_id, text, visibility)
    VALUES (@ticket_id, @at_ms, @author_kind, @author_id, @text, @visibility)`);
  const sameFault = db.prepare<[string, string, string, number], CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM tickets
    WHERE site = ? AND device = ? AND code = ? AND (status != 'closed' OR resolved_at_ms >= ?)`);
  const siteWide = db.prepare<[string, string, number], CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM tickets
    WHERE site = ? AND status NOT IN ('resolved', 'closed')
      AND (site_parent = 1 OR (category = ? AND parent_id IS NULL AND opened_at_ms >= ?))`);
  const current = db.prepare<[string, string, string], DeskTicketRow>(`SELECT * FROM tickets
    WHERE site = ? AND device = ? AND code = ? AND status != 'closed' AND site_parent = 0 ORDER BY id DESC LIMIT 1`);
  const load = db.prepare<[], { assignee: string; n: number }>(`SELECT assignee, count(*) AS n FROM tickets
    WHERE status NOT IN ('resolved', 'closed') AND assignee IS NOT NULL GROUP BY assignee`);
  const notClosed = db.prepare<[], { id: number }>("SELECT id FROM tickets WHERE status != 'closed'");

  const withComments = (row: DeskTicketRow | undefined): DeskTicket | undefined =>
    row ? deskTicketFromRow(row, comments.all(row.id).map(commentFromRow)) : undefined;

  function commentsFor(ids: number[]): Map<number, TicketComment[]> {
    const byTicket = new Map<number, TicketComment[]>();
    if (ids.length === 0) return byTicket;
    const rows = db.prepare(`SELECT * FROM ticket_comments WHERE ticket_id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids) as CommentRow[];
    for (const r of rows) byTicket.set(r.ticket_id, [...(byTicket.get(r.ticket_id) ?? []), commentFromRow(r)]);
    return byTicket;
  }

  return {
    get: (id) => withComments(byId.get(id)),
    getByNumber: (number) => withComments(byNumber.get(number)),
    list(f) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const add = (column: string, value: string | undefined): void => {
        if (value !== undefined) { where.push(`${column} = ?`); params.push(value); }
      };
      add('status', f.status); add('device', f.device); add('site', f.site); add('assignee', f.assignee); add('team', f.team); add('priority', f.priority);
      const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at_ms DESC, id DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...params, f.limit) as DeskTicketRow[];
      const byTicket = commentsFor(rows.map((r) => r.id));
      return rows.map((r) => deskTicketFromRow(r, byTicket.get(r.id) ?? []));
    },
    insert(t, dayMs) {
      const day = ticketDay(dayMs);
      const counter = nextDayCounter.get(day);
      if (!counter) throw new Error('ticket day counter returned no row');
      const number = formatTicketNumber(day, counter.last);
      const id = Number(insert.run({ ...deskTicketParams(t), number }).lastInsertRowid);
      for (const c of t.comments) insertComment.run(commentToRow(id, c));
      return { ...t, id, number };
    },
    save(t, before) {
      const next = mutableTicketParams(t);
      if (before) {
        const prev = mutableTicketParams(before);
        const changed = mutable.filter((c) => next[c as keyof typeof next] !== prev[c as keyof typeof prev]);
        if (changed.length > 0) {
          updateOf(changed).run({ id: t.id, ...Object.fromEntries(changed.map((c) => [c, next[c as keyof typeof next]])) });
        }
      } else {
        updateOf(mutable).run({ ...next, id: t.id });
      }
      if (t.comments.length === 0) return;
      const stored = commentCount.get(t.id)?.n ?? 0;
      for (const c of t.comments.slice(stored)) insertComment.run(commentToRow(t.id, c));
    },
    sameFault: (site, device, code, since) => sameFault.all(site, device, code, since).map(candidateFromRow),
    siteWide: (site, category, since) => siteWide.all(site, category, since).map(candidateFromRow),
    currentForFault: (site, device, code) => withComments(current.get(site, device, code)),
    openLoad: () => Object.fromEntries(load.all().map((r) => [r.assignee, r.n])),
    notClosedIds: () => notClosed.all().map((r) => r.id),
    calendarsInUse: () => (db.prepare(`SELECT DISTINCT json_extract(sla, '$.response.calendarId') AS c FROM tickets WHERE status != 'closed' AND sla IS NOT NULL
      UNION SELECT DISTINCT json_extract(sla, '$.resolution.calendarId') FROM tickets WHERE status != 'closed' AND sla IS NOT NULL`).all() as Array<{ c: string | null }>)
      .flatMap((r) => (r.c === null ? [] : [r.c])),
  };
}
