/**
 * The ticket workflow: new → acknowledged (first response) → in-progress → resolved → closed, with
 * waiting-on-customer (pauses the resolution clock) beside in-progress. Resolving needs a resolution
 * note; a device ticket is never closed while its device still shows the fault; a resolved ticket
 * can be reopened, a closed one only within the reopen window. Every step advances the SLA clocks
 * first (so a breach that happened before it is reported), then returns the new ticket, the
 * notify effects and the audit records. A step not allowed from the current status throws
 * FL_ERR_TICKET_INVALID_TRANSITION.
 */
import { auditRecord, type AuditDetail } from '../desk/audit-record.js';
import { andThen, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { DESK_ERROR_CODES, deskError, requireText } from '../desk/desk-errors.js';
import { FIX_KINDS, ticketRef, type DeskTicket, type ResolutionNote } from './desk-ticket.js';
import { notifyTicket, type NotifyEvent, type Recipient } from '../notifications/notifications.js';
import { advanceTicketClocks, clocksAfterStatusChange } from '../sla/ticket-clocks.js';
import type { TicketStatus } from './ticket.js';

export const TICKET_ACTIONS = ['acknowledge', 'start', 'wait-on-customer', 'customer-replied', 'resolve', 'close', 'reopen'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

const ALLOWED_FROM: Readonly<Record<TicketAction, readonly TicketStatus[]>> = {
  acknowledge: ['new'],
  start: ['new', 'acknowledged'],
  'wait-on-customer': ['acknowledged', 'in-progress'],
  'customer-replied': ['waiting-on-customer'],
  resolve: ['new', 'acknowledged', 'in-progress', 'waiting-on-customer'],
  close: ['resolved'],
  reopen: ['resolved', 'closed'],
};

const TARGET: Readonly<Record<TicketAction, TicketStatus>> = {
  acknowledge: 'acknowledged', start: 'in-progress', 'wait-on-customer': 'waiting-on-customer', 'customer-replied': 'in-progress',
  resolve: 'resolved', close: 'closed', reopen: 'in-progress',
};

const NOTIFY: Readonly<Partial<Record<TicketAction, NotifyEvent>>> = {
  acknowledge: 'ticket.acknowledged', resolve: 'ticket.resolved', close: 'ticket.closed', reopen: 'ticket.reopened',
};

/** Whether `action` is allowed from the ticket's current status (ignores the other checks). */
export function canApply(t: Pick<DeskTicket, 'status'>, action: TicketAction): boolean {
  return ALLOWED_FROM[action].includes(t.status);
}

function reporterOf(t: DeskTicket): Recipient[] {
  return t.origin === 'device' ? [] : [{ kind: 'reporter', id: t.reporter }];
}

/** The shared step: check, advance clocks, change status and clocks, record, notify. */
function changeStatus(
  t: DeskTicket, action: TicketAction, ctx: DeskContext, reason: string,
  patch: Partial<DeskTicket> = {}, details: Record<string, AuditDetail> = {},
): TicketOutcome {
  if (!canApply(t, action)) {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition, `cannot ${action} ticket ${ticketRef(t)}: it is ${t.status}`,
      { ticket: ticketRef(t), status: t.status, action }, `${action} is allowed from: ${ALLOWED_FROM[action].join(', ')}`);
  }
  const atMs = ctx.nowMs;
  return andThen(advanceTicketClocks(t, ctx.calendars, atMs), (current) => {
    const to = TARGET[action];
    const firstResponse = current.acknowledgedAtMs === null && ['acknowledged', 'in-progress', 'resolved'].includes(to);
    const ticket: DeskTicket = {
      ...current, ...patch, status: to,
      sla: clocksAfterStatusChange(current.sla, { from: current.status, to, reopen: action === 'reopen', atMs }, ctx.sla),
      acknowledgedAtMs: firstResponse ? atMs : current.acknowledgedAtMs,
    };
    const audit = [auditRecord(atMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, action, { from: current.status, to, reason, details })];
    const event = NOTIFY[action];
    const recipients = action === 'acknowledge' || action === 'resolve' ? reporterOf(ticket) : undefined;
    const effects = event ? [notifyTicket(ticket, event, atMs, reason, recipients ? { recipients, details } : { details })] : [];
    return { ticket, effects, audit };
  });
}

export function acknowledgeTicket(t: DeskTicket, ctx: DeskContext, note = ''): TicketOutcome {
  return changeStatus(t, 'acknowledge', ctx, note.trim() || `acknowledged by ${ctx.actor.id}`);
}

export function startWork(t: DeskTicket, ctx: DeskContext): TicketOutcome {
  return changeStatus(t, 'start', ctx, `work started by ${ctx.actor.id}`);
}

export function waitOnCustomer(t: DeskTicket, ctx: DeskContext, why: string): TicketOutcome {
  return changeStatus(t, 'wait-on-customer', ctx, requireText(why, 'reason', DESK_ERROR_CODES.ticketFieldRequired, { ticket: ticketRef(t) }));
}

export function customerReplied(t: DeskTicket, ctx: DeskContext): TicketOutcome {
  return changeStatus(t, 'customer-replied', ctx, `customer replied (${ctx.actor.id})`);
}

export function resolveTicket(t: DeskTicket, ctx: DeskContext, note: Partial<ResolutionNote>): TicketOutcome {
  const code = DESK_ERROR_CODES.ticketResolutionRequired;
  const context = { ticket: ticketRef(t) };
  const cause = requireText(note.cause, 'resolution cause', code, context);
  const action = requireText(note.action, 'resolution action', code, context);
  if (!note.fix || !FIX_KINDS.includes(note.fix)) {
    throw deskError(code, 'a resolution must say whether it is a workaround or a permanent fix', { ...context, fix: note.fix ?? null },
      `set fix to one of: ${FIX_KINDS.join(', ')}`);
  }
  const resolution = { cause, action, fix: note.fix, by: ctx.actor, atMs: ctx.nowMs };
  return changeStatus(t, 'resolve', ctx, `${note.fix}: ${action} (cause: ${cause})`,
    { resolution, resolvedAtMs: ctx.nowMs }, { fix: note.fix, faultActive: t.faultActive });
}

/** Close by hand. A device ticket's fault must be cleared: nothing closes while the device shows it. */
export function closeTicket(t: DeskTicket, ctx: DeskContext, reason = ''): TicketOutcome {
  if (t.origin === 'device' && t.faultActive && t.status === 'resolved') {
    throw deskError(DESK_ERROR_CODES.ticketFaultActive, `cannot close ticket ${ticketRef(t)}: device ${t.device} still shows ${t.code}`,
      { ticket: ticketRef(t), device: t.device, code: t.code }, 'wait for the device to clear the fault; the ticket then closes by itself');
  }
  return changeStatus(t, 'close', ctx, reason.trim() || `closed by ${ctx.actor.id}`, { closedAtMs: ctx.nowMs });
}

/** Reopen a resolved ticket, or a closed one within the reopen window after it was resolved. */
export function reopenTicket(t: DeskTicket, ctx: DeskContext, why: string): TicketOutcome {
  const reason = requireText(why, 'reason', DESK_ERROR_CODES.ticketFieldRequired, { ticket: ticketRef(t) });
  if (t.status === 'closed' && !withinReopenWindow(t, ctx.nowMs, ctx.lifecycle.reopenWindowMs)) {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition,
      `cannot reopen ticket ${ticketRef(t)}: it was resolved more than ${ctx.lifecycle.reopenWindowMs / 60_000} min ago`,
      { ticket: ticketRef(t), resolvedAtMs: t.resolvedAtMs, nowMs: ctx.nowMs }, 'open a new ticket');
  }
  return changeStatus(t, 'reopen', ctx, reason,
    { resolution: null, resolvedAtMs: null, closedAtMs: null, reopenCount: t.reopenCount + 1 }, { reopenCount: t.reopenCount + 1 });
}

export function withinReopenWindow(t: Pick<DeskTicket, 'resolvedAtMs'>, nowMs: number, windowMs: number): boolean {
  return t.resolvedAtMs !== null && nowMs - t.resolvedAtMs <= windowMs;
}
