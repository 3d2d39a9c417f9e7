/**
 * Escalation up the tiers L1 → L2 → L3. Automatic: a ticket still not acknowledged when its
 * response target runs out moves to the next tier (assigned to that tier's on-call member, who is
 * notified); each further tier gets one more response target (on the same calendar) before the next
 * step. Manual: `escalateTicket` with a reason. Past L3 there is nowhere to go: a manual escalation
 * is refused (FL_ERR_ESCALATION_TOP_TIER), an automatic one notifies management, once.
 */
import { auditRecord, SYSTEM } from '../desk/audit-record.js';
import { chooseAssignee, applyAssignment, type OpenLoad } from './assignment.js';
import { andThen, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { DESK_ERROR_CODES, deskError, requireText } from '../desk/desk-errors.js';
import { TIERS, ticketRef, type DeskTicket, type Tier } from '../tickets/desk-ticket.js';
import { notifyTicket, type Recipient } from '../notifications/notifications.js';
import type { Team } from './on-call.js';
import { addBusinessMs, calendarFor, type CalendarSet } from '../sla/sla-calendar.js';
import { instantAtElapsed } from '../sla/sla-clock.js';

export interface EscalationContext extends DeskContext {
  teams: Readonly<Record<string, Team>>;
  load: OpenLoad;
}

export function nextTier(tier: Tier): Tier | null {
  return TIERS[TIERS.indexOf(tier) + 1] ?? null;
}

/** When an unacknowledged ticket escalates next by itself; null if it will not. */
export function autoEscalationDueMs(t: DeskTicket, calendars: CalendarSet): number | null {
  if (t.status !== 'new') return null;
  if (nextTier(t.tier) === null && t.escalation.managementNotifiedAtMs !== null) return null;
  const clock = t.sla.response;
  const cal = calendarFor(calendars, clock.calendarId);
  if (t.escalation.lastAtMs === null) return instantAtElapsed(clock, cal, clock.targetMs);
  return addBusinessMs(cal, t.escalation.lastAtMs, clock.targetMs);
}

function newOwner(assignee: string | null, teamId: string): Recipient[] {
  if (assignee) return [{ kind: 'member', id: assignee }];
  return teamId ? [{ kind: 'team', id: teamId }] : [{ kind: 'management' }];
}

function moveUp(t: DeskTicket, to: Tier, ctx: EscalationContext, reason: string, kind: 'auto' | 'manual'): TicketOutcome {
  const teamId = t.team ?? '';
  const decision = chooseAssignee({ teamId, team: ctx.teams[teamId], tier: to, skills: t.requiredSkills, atMs: ctx.nowMs, load: ctx.load });
  const escalated: DeskTicket = { ...t, escalation: { ...t.escalation, count: t.escalation.count + 1, lastAtMs: ctx.nowMs } };
  const record = auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, 'escalate',
    { from: t.tier, to, reason, details: { kind, assignee: decision.assignee } });
  const first: TicketOutcome = { ticket: escalated, effects: [], audit: [record] };
  return andThen(first, (cur) => {
    const assigned = applyAssignment(cur, decision, t.requiredSkills, ctx, 'escalate-assign');
    const previous = t.assignee ? [{ kind: 'member' as const, id: t.assignee }] : [];
    const note = notifyTicket(assigned.ticket, 'ticket.escalated', ctx.nowMs, `${reason}; ${decision.reason}`, {
      recipients: [...newOwner(decision.assignee, teamId), ...previous],
      details: { from: t.tier, to, kind },
    });
    return { ...assigned, effects: [note] };
  });
}

/** An explicit escalate action. */
export function escalateTicket(t: DeskTicket, ctx: EscalationContext, why: string): TicketOutcome {
  const reason = requireText(why, 'reason', DESK_ERROR_CODES.ticketFieldRequired, { ticket: ticketRef(t) });
  if (t.status === 'resolved' || t.status === 'closed') {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition, `cannot escalate ticket ${ticketRef(t)}: it is ${t.status}`,
      { ticket: ticketRef(t), status: t.status }, 'reopen it first');
  }
  const to = nextTier(t.tier);
  if (to === null) {
    throw deskError(DESK_ERROR_CODES.escalationTopTier, `ticket ${ticketRef(t)} is already at ${t.tier}, the top tier`,
      { ticket: ticketRef(t), tier: t.tier }, 'reassign within L3, or raise it with management');
  }
  if (t.team !== null && !ctx.teams[t.team]) {
    throw deskError(DESK_ERROR_CODES.escalationUnknownTeam, `ticket ${ticketRef(t)} belongs to unknown team ${t.team}`,
      { ticket: ticketRef(t), team: t.team }, 'route the ticket to a configured team first');
  }
  return moveUp(t, to, ctx, reason, 'manual');
}

/** The timer's step: escalates (or alerts management) for every escalation instant ≤ nowMs, each at its instant. */
export function escalateIfUnacknowledged(t: DeskTicket, ctx: EscalationContext): TicketOutcome {
  let outcome: TicketOutcome = { ticket: t, effects: [], audit: [] };
  for (let step = 0; step < TIERS.length; step++) {
    const due = autoEscalationDueMs(outcome.ticket, ctx.calendars);
    if (due === null || due > ctx.nowMs) break;
    const at = { ...ctx, nowMs: due, actor: SYSTEM };
    const cur = outcome.ticket;
    const minutes = cur.sla.response.targetMs / 60_000;
    const to = nextTier(cur.tier);
    outcome = andThen(outcome, (x) => (to !== null
      ? moveUp(x, to, at, `not acknowledged within ${minutes} min at ${cur.tier}`, 'auto')
      : alertManagement(x, at, `not acknowledged within ${minutes} min at ${cur.tier}, the top tier`)));
  }
  return outcome;
}

function alertManagement(t: DeskTicket, ctx: DeskContext, reason: string): TicketOutcome {
  const ticket: DeskTicket = { ...t, escalation: { ...t.escalation, managementNotifiedAtMs: ctx.nowMs } };
  return {
    ticket,
    effects: [notifyTicket(ticket, 'ticket.management-alert', ctx.nowMs, reason, { recipients: [{ kind: 'management' }] })],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, 'management-alert', { reason })],
  };
}
