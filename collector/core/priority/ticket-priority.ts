/**
 * A person overrides a ticket's priority: the reason names who and why and keeps what the matrix
 * computed; both SLA clocks take the new priority's targets and calendar (measured from the
 * opening). Warnings and breaches due before the change are reported first.
 */
import { andThen, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import { ticketRef, type DeskTicket } from '../tickets/desk-ticket.js';
import { overridePriority } from './priority-matrix.js';
import { retargetTicketClocks } from '../sla/sla-policy.js';
import { advanceTicketClocks } from '../sla/ticket-clocks.js';
import type { Priority } from '../tickets/ticket.js';

export function overrideTicketPriority(t: DeskTicket, change: { priority: Priority; why: string }, ctx: DeskContext): TicketOutcome {
  if (t.status === 'closed') {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition, `cannot change the priority of ticket ${ticketRef(t)}: it is closed`,
      { ticket: ticketRef(t) }, 'reopen it first');
  }
  const { assessment, audit } = overridePriority(
    { priority: t.priority, reason: t.priorityReason, override: t.priorityOverride },
    { priority: change.priority, why: change.why, by: ctx.actor, atMs: ctx.nowMs }, ticketRef(t),
  );
  return andThen(advanceTicketClocks(t, ctx.calendars, ctx.nowMs), (cur) => ({
    ticket: {
      ...cur, priority: assessment.priority, priorityReason: assessment.reason, priorityOverride: assessment.override,
      sla: retargetTicketClocks(cur.sla, ctx.sla, assessment.priority),
    },
    effects: [],
    audit: [audit],
  }));
}
