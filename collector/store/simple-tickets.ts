/**
 * The store's own event → ticket rules, used when no service desk is attached (store-only use:
 * tools, tests): one open ticket per fault key, occurrences counted, clears recorded, priority from
 * severity alone. The running collector attaches the desk (collector/desk/) instead.
 */
import type { Database } from 'better-sqlite3';
import type { FaultEvent } from '../../protocol/values.js';
import { formatTicketNumber, ticketDay } from '../core/ticket-number.js';
import { decideTicket, type NewTicket, type OpenTicketState, type TicketUpdate } from '../core/ticket-rules.js';
import type { EventProcessor } from './batch-writer.js';

interface OpenTicketRow {
  id: number;
  fault_active: number;
  occurrences: number;
  last_seen_ms: number;
  cleared_at_ms: number | null;
}

function ticketParams(t: NewTicket, number: string) {
  return {
    number, title: t.title, device: t.device, site: t.site, code: t.code, category: t.category, severity: t.severity,
    priority: t.priority, priority_reason: t.priorityReason, status: t.status, fault_active: t.faultActive ? 1 : 0,
    occurrences: t.occurrences, opened_at_ms: t.openedAtMs, first_seen_ms: t.firstSeenMs, last_seen_ms: t.lastSeenMs,
    cleared_at_ms: t.clearedAtMs, closed_at_ms: t.closedAtMs, snapshot: JSON.stringify(t.snapshot),
    log_excerpt: JSON.stringify(t.logExcerpt), remedy: t.remedy, adapter_id: t.adapterId,
  };
}

function updateParams(id: number, u: TicketUpdate) {
  return { id, fault_active: u.faultActive ? 1 : 0, occurrences: u.occurrences, last_seen_ms: u.lastSeenMs, cleared_at_ms: u.clearedAtMs };
}

function openTicketState(r: OpenTicketRow): OpenTicketState {
  return { id: r.id, faultActive: r.fault_active === 1, occurrences: r.occurrences, lastSeenMs: r.last_seen_ms, clearedAtMs: r.cleared_at_ms };
}

export function createSimpleTicketProcessor(db: Database): EventProcessor {
  const st = {
    findOpenTicket: db.prepare<[string, string, string], OpenTicketRow>(`SELECT id, fault_active, occurrences, last_seen_ms, cleared_at_ms FROM tickets
      WHERE site = ? AND device = ? AND code = ? AND closed_at_ms IS NULL ORDER BY id DESC LIMIT 1`),
    nextDayCounter: db.prepare<[string], { last: number }>(`INSERT INTO ticket_day_counters (day, last) VALUES (?, 1)
      ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`),
    insertTicket: db.prepare<[ReturnType<typeof ticketParams>]>(`INSERT INTO tickets (number, title, device, site, code, category, severity, priority,
      priority_reason, status, fault_active, occurrences, opened_at_ms, first_seen_ms, last_seen_ms, cleared_at_ms,
      closed_at_ms, snapshot, log_excerpt, remedy, adapter_id)
      VALUES (@number, @title, @device, @site, @code, @category, @severity, @priority, @priority_reason, @status,
      @fault_active, @occurrences, @opened_at_ms, @first_seen_ms, @last_seen_ms, @cleared_at_ms, @closed_at_ms,
      @snapshot, @log_excerpt, @remedy, @adapter_id)`),
    updateTicket: db.prepare<[ReturnType<typeof updateParams>]>(`UPDATE tickets SET fault_active = @fault_active, occurrences = @occurrences,
      last_seen_ms = @last_seen_ms, cleared_at_ms = @cleared_at_ms WHERE id = @id`),
  };
  return {
    processEvent(e: FaultEvent, nowMs: number): number | null {
      const open = st.findOpenTicket.get(e.site, e.device, e.code);
      const decision = decideTicket(e, open ? openTicketState(open) : undefined, nowMs);
      switch (decision.type) {
        case 'open': {
          const day = ticketDay(e.timeMs);
          const counter = st.nextDayCounter.get(day);
          if (!counter) throw new Error('ticket day counter returned no row');
          return Number(st.insertTicket.run(ticketParams(decision.ticket, formatTicketNumber(day, counter.last))).lastInsertRowid);
        }
        case 'occurrence':
        case 'clear':
          st.updateTicket.run(updateParams(decision.ticketId, decision.update));
          return decision.ticketId;
        case 'none':
          return decision.ticketId;
      }
    },
  };
}
