/**
 * SQL for desk tickets: load and save whole DeskTickets (comments in their own table), number new
 * ones, find correlation candidates, count open tickets per member. Synchronous (better-sqlite3),
 * so it runs inside the caller's transaction.
 */
import { statementCache } from './statement-cache.js';
import { FaultlineError } from '../../../protocol/errors.js';
import type { Database, Statement } from 'better-sqlite3';
import type { Category } from '../../../protocol/values.js';
import type { CandidateTicket } from '../../core/tickets/correlation.js';
import type { DeskTicket, NewDeskTicket, TicketComment } from '../../core/tickets/desk-ticket.js';
import { formatTicketNumber, ticketDay } from '../../core/tickets/ticket-number.js';
import type { TicketStatus } from '../../core/tickets/ticket.js';
import { BoundedCache } from './bounded-cache.js';
import {
  changedTicketParams, commentFromRow, commentToRow, DESK_TICKET_COLUMNS, deskTicketFromRow, deskTicketParams, IMMUTABLE_TICKET_COLUMNS,
  IMMUTABLE_TICKET_FIELDS, mutableTicketParams, type CommentRow, type DeskTicketRow,
} from './desk-ticket-rows.js';
import type { DeskTickets } from '../port/desk-repo.js';

/** The SQLite tickets: a write-through cache of loaded tickets, dropped when a transaction rolls back. */
export interface SqliteDeskTickets extends DeskTickets {
  forget(): void;
  /** See DeskPort.ticketsWithoutSlaDue. */
  ticketsWithoutSlaDue(limit: number): number[];
}

/** Most tickets kept in the write-through cache (each a few KiB). */
export const TICKET_CACHE_MAX = 20_000;

interface CandidateRow {
  id: number; site: string; device: string; code: string; category: string; status: string;
  opened_at_ms: number; resolved_at_ms: number | null; parent_id: number | null; site_parent: number;
}

const CANDIDATE_COLUMNS = 'id, site, device, code, category, status, opened_at_ms, resolved_at_ms, parent_id, site_parent';

function candidateOf(t: DeskTicket): CandidateTicket {
  return {
    id: t.id, site: t.site, device: t.device, code: t.code, category: t.category, status: t.status,
    openedAtMs: t.openedAtMs, resolvedAtMs: t.resolvedAtMs, parentId: t.parentId, siteParent: t.siteParent,
  };
}

function candidateFromRow(r: CandidateRow): CandidateTicket {
  return {
    id: r.id, site: r.site, device: r.device, code: r.code, category: r.category as Category, status: r.status as TicketStatus,
    openedAtMs: r.opened_at_ms, resolvedAtMs: r.resolved_at_ms, parentId: r.parent_id, siteParent: r.site_parent === 1,
  };
}

export function createDeskTickets(db: Database): SqliteDeskTickets {
  const cols = DESK_TICKET_COLUMNS.join(', ');
  const insert = db.prepare(`INSERT INTO tickets (id, number, model, firmware, ${cols})
    VALUES (@id, @number, @model, @firmware, ${DESK_TICKET_COLUMNS.map((c) => `@${c}`).join(', ')})`);
  // The id SQLite would give the row (one past the largest), known before the row is written.
  const nextId = db.prepare<[], { id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM tickets');
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
  const load = db.prepare<[], { assignee: string; n: number }>(`SELECT assignee, count(*) AS n FROM tickets
    WHERE status NOT IN ('resolved', 'closed') AND assignee IS NOT NULL GROUP BY assignee`);
  const notClosed = db.prepare<[], { id: number }>("SELECT id FROM tickets WHERE status != 'closed'");
  const childIds = db.prepare<[number], { id: number }>('SELECT id FROM tickets WHERE parent_id = ? ORDER BY id');

  /**
   * Write-through cache of tickets as stored, by id: filled on load and insert, replaced on a save that
   * wrote every change (see `save`), cleared by `forget` when a transaction rolls back.
   */
  const cache = new BoundedCache<number, DeskTicket>(TICKET_CACHE_MAX);
  /**
   * Open tickets per assignee, kept up to date by inserts and by saves whose stored state is known
   * (the cached ticket); any other save, or a rollback, drops it and the next call counts again.
   */
  let openLoad: Map<string, number> | null = null;
  const loadOf = (t: NewDeskTicket): string | null =>
    t.assignee !== null && t.status !== 'resolved' && t.status !== 'closed' ? t.assignee : null;
  const moveLoad = (from: string | null, to: string | null): void => {
    if (openLoad === null || from === to) return;
    if (from !== null) openLoad.set(from, (openLoad.get(from) ?? 0) - 1);
    if (to !== null) openLoad.set(to, (openLoad.get(to) ?? 0) + 1);
  };
  const remember = (t: DeskTicket): DeskTicket => {
    cache.set(t.id, t);
    return t;
  };
  /**
   * Correlation candidates per fault key (site, device, code), as `sameFault` last loaded them with
   * `sinceMs`: every ticket of the key that was not closed or was resolved since then, kept up to date
   * by inserts and saves (a key never changes). A later call with a window starting no earlier is
   * answered from here; cleared by `forget`.
   */
  const byFault = new BoundedCache<string, { sinceMs: number; tickets: Map<number, CandidateTicket> }>(TICKET_CACHE_MAX);
  const faultKey = (site: string, device: string, code: string): string => `${site}\u0000${device}\u0000${code}`;
  const candidatesOf = (site: string, device: string, code: string, sinceMs: number): CandidateTicket[] => {
    const key = faultKey(site, device, code);
    const cached = byFault.get(key);
    if (cached && sinceMs >= cached.sinceMs) {
      const out: CandidateTicket[] = [];
      for (const c of cached.tickets.values()) if (c.status !== 'closed' || (c.resolvedAtMs !== null && c.resolvedAtMs >= sinceMs)) out.push(c);
      return out;
    }
    const loaded = sameFault.all(site, device, code, sinceMs).map(candidateFromRow);
    byFault.set(key, { sinceMs, tickets: new Map(loaded.map((c) => [c.id, c])) });
    return loaded;
  };
  const noteCandidate = (t: DeskTicket): void => {
    byFault.get(faultKey(t.site, t.device, t.code))?.tickets.set(t.id, candidateOf(t));
  };

  const withComments = (row: DeskTicketRow | undefined): DeskTicket | undefined =>
    row ? cache.get(row.id) ?? remember(deskTicketFromRow(row, comments.all(row.id).map(commentFromRow))) : undefined;

  function getById(id: number): DeskTicket | undefined {
    return cache.get(id) ?? withComments(byId.get(id));
  }

  /** Statements built from a filter's shape, prepared once per shape (a handful: one per filter combination and list size). */
  const prepared = statementCache(db);

  function commentsFor(ids: number[]): Map<number, TicketComment[]> {
    const byTicket = new Map<number, TicketComment[]>();
    if (ids.length === 0) return byTicket;
    const rows = prepared(`SELECT * FROM ticket_comments WHERE ticket_id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids) as CommentRow[];
    for (const r of rows) {
      const list = byTicket.get(r.ticket_id);
      if (list) list.push(commentFromRow(r));
      else byTicket.set(r.ticket_id, [commentFromRow(r)]);
    }
    return byTicket;
  }

  const setSlaDue = db.prepare<[number | null, number]>('UPDATE tickets SET sla_due_ms = ? WHERE id = ?');
  const withoutSlaDue = db.prepare<[number], { id: number }>("SELECT id FROM tickets WHERE sla_due_ms IS NULL AND status <> 'closed' ORDER BY id LIMIT ?");

  return {
    ticketsWithoutSlaDue: (limit) => withoutSlaDue.all(limit).map((r) => r.id),
    get: getById,
    getByNumber: (number) => withComments(byNumber.get(number)),
    list(f) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const add = (column: string, value: string | undefined): void => {
        if (value !== undefined) { where.push(`${column} = ?`); params.push(value); }
      };
      add('status', f.status); add('device', f.device); add('site', f.site); add('assignee', f.assignee); add('team', f.team); add('priority', f.priority);
      // Ids first: tickets in the cache need neither their row read nor their JSON parsed.
      const sql = `SELECT id FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at_ms DESC, id DESC LIMIT ?`;
      const ids = (prepared(sql).all(...params, f.limit) as Array<{ id: number }>).map((r) => r.id);
      const missing = ids.filter((id) => cache.get(id) === undefined);
      const loaded = new Map<number, DeskTicket>();
      if (missing.length > 0) {
        const rows = prepared(`SELECT * FROM tickets WHERE id IN (${missing.map(() => '?').join(',')})`).all(...missing) as DeskTicketRow[];
        const byTicket = commentsFor(missing);
        for (const r of rows) loaded.set(r.id, remember(deskTicketFromRow(r, byTicket.get(r.id) ?? [])));
      }
      return ids.flatMap((id) => {
        const t = loaded.get(id) ?? cache.get(id);
        return t ? [t] : [];
      });
    },
    insert(t, dayMs, device, complete) {
      const day = ticketDay(dayMs);
      const counter = nextDayCounter.get(day);
      if (!counter) throw new FaultlineError('FL_ERR_INTERNAL', 'ticket day counter returned no row');
      const numbered: DeskTicket = { ...t, id: nextId.get()?.id ?? 1, number: formatTicketNumber(day, counter.last) };
      const final = complete ? complete(numbered) : numbered;
      if (final.id !== numbered.id || final.number !== numbered.number) throw new FaultlineError('FL_ERR_INTERNAL', `ticket ${numbered.number} changed its id or number before it was stored`);
      insert.run({ ...deskTicketParams(final), id: final.id, number: final.number, model: device?.model ?? '', firmware: device?.firmware ?? '' });
      for (const c of final.comments) insertComment.run(commentToRow(final.id, c));
      moveLoad(null, loadOf(final));
      const stored = remember(final);
      noteCandidate(stored);
      return stored;
    },
    save(t, before) {
      // The cached ticket is what the store holds; `before` being it means the diff below is against the stored row.
      const stored = cache.get(t.id);
      const fromStored = stored !== undefined && (before === undefined || before === stored);
      if (before) {
        const changed = changedTicketParams(t, before);
        const columns = Object.keys(changed);
        if (columns.length > 0) updateOf(columns).run({ id: t.id, ...changed });
      } else {
        updateOf(mutable).run({ ...mutableTicketParams(t), id: t.id });
      }
      if (t.comments.length > 0 && t.comments !== before?.comments) {
        const count = fromStored ? stored.comments.length : commentCount.get(t.id)?.n ?? 0;
        for (const c of t.comments.slice(count)) insertComment.run(commentToRow(t.id, c));
      }
      noteCandidate(t);
      if (fromStored && IMMUTABLE_TICKET_FIELDS.every((f) => t[f] === stored[f])) {
        moveLoad(loadOf(stored), loadOf(t));
        cache.set(t.id, t);
      } else {
        cache.delete(t.id);
        openLoad = null;
      }
    },
    sameFault: candidatesOf,
    siteWide: (site, category, since) => siteWide.all(site, category, since).map(candidateFromRow),
    currentForFault(site, device, code) {
      // Every ticket of the key that is not closed is among its candidates, whatever the window
      // (loaded, when the key is not cached yet, with a window that admits only those).
      const cached = byFault.get(faultKey(site, device, code));
      const candidates = cached ? cached.tickets.values() : candidatesOf(site, device, code, Number.MAX_SAFE_INTEGER);
      let newest: number | undefined;
      for (const c of candidates) if (c.status !== 'closed' && !c.siteParent && (newest === undefined || c.id > newest)) newest = c.id;
      return newest === undefined ? undefined : getById(newest);
    },
    openLoad() {
      openLoad ??= new Map(load.all().map((r) => [r.assignee, r.n]));
      // As the query gives it: assignees with open tickets, in assignee order.
      return Object.fromEntries([...openLoad].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
    notClosedIds: () => notClosed.all().map((r) => r.id),
    setSlaDue: (id, dueMs) => { setSlaDue.run(dueMs, id); },
    children: (parentId) => childIds.all(parentId).flatMap((r) => {
      const t = getById(r.id);
      return t ? [t] : [];
    }),
    calendarsInUse: () => (db.prepare(`SELECT DISTINCT json_extract(sla, '$.response.calendarId') AS c FROM tickets WHERE status != 'closed' AND sla IS NOT NULL
      UNION SELECT DISTINCT json_extract(sla, '$.resolution.calendarId') FROM tickets WHERE status != 'closed' AND sla IS NOT NULL`).all() as Array<{ c: string | null }>)
      .flatMap((r) => (r.c === null ? [] : [r.c])),
    forget: () => {
      cache.clear();
      byFault.clear();
      openLoad = null;
    },
  };
}
