/**
 * Everything time does to a ticket, in one step for the edge's timer: report SLA warnings and
 * breaches, escalate an unacknowledged ticket, close a resolved device ticket its device has
 * verified. `ticketNextDeadline` is when to call `tickTicket` next; every change it makes is
 * stamped with its own exact instant, so calling late changes nothing but the delay.
 */
import { andThen, type DeskContext, type TicketOutcome } from './desk-context.js';
import type { DeskTicket } from '../tickets/desk-ticket.js';
import { autoEscalationDueMs, escalateIfUnacknowledged, type EscalationContext } from '../routing/escalation.js';
import { advanceTicketClocks, nextTicketClockDeadline } from '../sla/ticket-clocks.js';
import { closeIfVerified, verifiedCloseAtMs } from '../tickets/ticket-verification.js';

export function ticketNextDeadline(t: DeskTicket, ctx: Pick<DeskContext, 'calendars' | 'lifecycle'>): number | null {
  const times = [nextTicketClockDeadline(t, ctx.calendars), autoEscalationDueMs(t, ctx.calendars), verifiedCloseAtMs(t, ctx.lifecycle)]
    .filter((x): x is number => x !== null);
  return times.length > 0 ? Math.min(...times) : null;
}

export function tickTicket(t: DeskTicket, ctx: EscalationContext): TicketOutcome {
  const clocks = advanceTicketClocks(t, ctx.calendars, ctx.nowMs);
  const escalated = andThen(clocks, (cur) => escalateIfUnacknowledged(cur, ctx));
  return andThen(escalated, (cur) => closeIfVerified(cur, ctx));
}
