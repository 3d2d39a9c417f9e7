/**
 * What a fault event does to tickets. One open ticket per (site, device, code): the first raise
 * opens it, later raises count occurrences on it, a clear records that the fault went away
 * (the ticket stays open; closing is a later issue). Duplicate event ids never reach here: the
 * store rejects them first.
 *
 * Events can arrive out of order (an agent's outbox redelivers after a reconnect), so times are
 * compared: last_seen only moves forward, a clear older than the latest raise is stale, and a
 * raise older than the recorded clear counts but does not re-activate the fault.
 */
import type { FaultEvent } from '../../../protocol/values.js';
import { priorityFor } from '../priority/priority.js';
import type { Ticket } from './ticket.js';

/** The parts of the open ticket the rules look at. */
export type OpenTicketState = Pick<Ticket, 'id' | 'faultActive' | 'occurrences' | 'lastSeenMs' | 'clearedAtMs'>;

/** A ticket to create; the store assigns id and number. */
export type NewTicket = Omit<Ticket, 'id' | 'number'>;

/** New values for the fields a later event may change. */
export type TicketUpdate = Pick<Ticket, 'faultActive' | 'occurrences' | 'lastSeenMs' | 'clearedAtMs'>;

export type TicketDecision =
  | { type: 'open'; ticket: NewTicket }
  | { type: 'occurrence'; ticketId: number; update: TicketUpdate }
  | { type: 'clear'; ticketId: number; update: TicketUpdate }
  /** Nothing changes; the event still joins the ticket's timeline when there is one. */
  | { type: 'none'; ticketId: number | null; reason: string };

export function ticketTitle(event: Pick<FaultEvent, 'message' | 'code' | 'device'>): string {
  return `${event.message || event.code} on ${event.device}`;
}

function openTicket(event: FaultEvent, nowMs: number): NewTicket {
  const { priority, reason } = priorityFor(event.severity);
  return {
    title: ticketTitle(event), device: event.device, site: event.site, code: event.code,
    category: event.category, severity: event.severity, priority, priorityReason: reason,
    status: 'new', faultActive: true, occurrences: 1, openedAtMs: nowMs,
    firstSeenMs: event.timeMs, lastSeenMs: event.timeMs, clearedAtMs: null, closedAtMs: null,
    snapshot: event.snapshot, logExcerpt: event.logExcerpt, remedy: event.remedy, adapterId: event.adapterId,
  };
}

function countOccurrence(event: FaultEvent, open: OpenTicketState): TicketDecision {
  // A raise from before the recorded clear (late redelivery) is counted but the fault stays cleared.
  const reactivates = open.faultActive || open.clearedAtMs === null || event.timeMs >= open.clearedAtMs;
  return {
    type: 'occurrence', ticketId: open.id,
    update: {
      faultActive: reactivates,
      occurrences: open.occurrences + 1,
      lastSeenMs: Math.max(open.lastSeenMs, event.timeMs),
      clearedAtMs: reactivates ? null : open.clearedAtMs,
    },
  };
}

function recordClear(event: FaultEvent, open: OpenTicketState): TicketDecision {
  if (!open.faultActive) return { type: 'none', ticketId: open.id, reason: 'fault already cleared' };
  if (event.timeMs < open.lastSeenMs) return { type: 'none', ticketId: open.id, reason: 'clear is older than the latest raise' };
  return {
    type: 'clear', ticketId: open.id,
    update: { faultActive: false, occurrences: open.occurrences, lastSeenMs: open.lastSeenMs, clearedAtMs: event.timeMs },
  };
}

/**
 * Decide what `event` does, given the open ticket for its (site, device, code) if there is one.
 * `nowMs` is the collector's clock, used as the opening time of a new ticket.
 */
export function decideTicket(event: FaultEvent, open: OpenTicketState | undefined, nowMs: number): TicketDecision {
  if (event.transition === 'raise') {
    return open ? countOccurrence(event, open) : { type: 'open', ticket: openTicket(event, nowMs) };
  }
  return open ? recordClear(event, open) : { type: 'none', ticketId: null, reason: 'clear without an open ticket' };
}
