/**
 * Engineer actions on a ticket: the lifecycle steps, comments, rating, escalation, assignment and
 * priority override. The core checks every rule (resolving needs a note, a device ticket does not
 * close while its fault shows, …) and throws a FaultlineError with a stable code when one fails.
 */
import { FaultlineError } from '../../protocol/errors.js';
import { applyAssignment } from '../core/routing/assignment.js';
import type { Actor } from '../core/desk/audit-record.js';
import type { TicketOutcome } from '../core/desk/desk-context.js';
import { DESK_ERROR_CODES, deskError, requireText } from '../core/desk/desk-errors.js';
import { ticketRef, type DeskTicket, type FixKind, type TicketComment, type Tier } from '../core/tickets/desk-ticket.js';
import { escalateTicket } from '../core/routing/escalation.js';
import { addComment, rateSatisfaction } from '../core/tickets/ticket-feedback.js';
import {
  acknowledgeTicket, closeTicket, customerReplied, reopenTicket, resolveTicket, startWork, waitOnCustomer,
} from '../core/tickets/ticket-lifecycle.js';
import { overrideTicketPriority } from '../core/priority/ticket-priority.js';
import type { Priority } from '../core/tickets/ticket.js';
import type { DeskWork } from './desk-work.js';

export type TicketAction =
  | { type: 'ack'; note?: string }
  | { type: 'start' }
  | { type: 'wait'; reason: string }
  | { type: 'resume' }
  | { type: 'resolve'; cause?: string; action?: string; fix?: FixKind }
  | { type: 'close'; reason?: string }
  | { type: 'reopen'; reason: string }
  | { type: 'escalate'; reason: string }
  | { type: 'assign'; assignee: string | null; team?: string; tier?: Tier; reason: string }
  | { type: 'priority'; priority: Priority; reason: string }
  | { type: 'comment'; text: string; visibility: TicketComment['visibility'] }
  | { type: 'rate'; score: number; comment?: string }
  | { type: 'take' };

export const DESK_EDGE_ERRORS = {
  unknownTeam: 'FL_ERR_DESK_UNKNOWN_TEAM',
  unknownMember: 'FL_ERR_DESK_UNKNOWN_MEMBER',
} as const;

/** A person puts the ticket on a team / tier / member by hand. */
function assign(t: DeskTicket, a: Extract<TicketAction, { type: 'assign' }>, work: DeskWork, actor: Actor): TicketOutcome {
  const reason = requireText(a.reason, 'reason', DESK_ERROR_CODES.ticketFieldRequired, { ticket: ticketRef(t) });
  if (t.status === 'closed') {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition, `cannot assign ticket ${ticketRef(t)}: it is closed`, { ticket: ticketRef(t) }, 'reopen it first');
  }
  const teamId = a.team ?? t.team ?? work.settings.routing.defaultTeam;
  const team = work.settings.teams[teamId];
  if (!team) {
    throw new FaultlineError(DESK_EDGE_ERRORS.unknownTeam, `no team ${teamId}`, {
      context: { team: teamId, known: Object.keys(work.settings.teams) }, hint: 'assign to a team of the desk config',
    });
  }
  const member = a.assignee === null ? undefined : team.members.find((m) => m.id === a.assignee);
  if (a.assignee !== null && !member) {
    throw new FaultlineError(DESK_EDGE_ERRORS.unknownMember, `${a.assignee} is not a member of team ${teamId}`, {
      context: { team: teamId, member: a.assignee }, hint: `pick one of: ${team.members.map((m) => m.id).join(', ') || '(no members)'}`,
    });
  }
  const tier = a.tier ?? member?.tier ?? t.tier;
  const decision = { team: teamId, tier, assignee: member?.id ?? null, candidates: [], reason: `set by ${actor.id}: ${reason}` };
  return applyAssignment(t, decision, t.requiredSkills, work.ctx(actor), 'assign');
}

/**
 * The acting person takes the ticket: assigned to them on the ticket's team when they are a member
 * of it, else on the first team of the desk config they belong to (at their own tier).
 */
function take(t: DeskTicket, work: DeskWork, actor: Actor): TicketOutcome {
  const teams = Object.entries(work.settings.teams);
  const own = t.team !== null && work.settings.teams[t.team]?.members.some((m) => m.id === actor.id) ? t.team : undefined;
  const team = own ?? teams.find(([, x]) => x.members.some((m) => m.id === actor.id))?.[0];
  if (team === undefined) {
    throw new FaultlineError(DESK_EDGE_ERRORS.unknownMember, `${actor.id} is not a member of any team, so cannot take ticket ${ticketRef(t)}`, {
      context: { ticket: ticketRef(t), member: actor.id }, hint: 'add the user to a team of the desk config, or assign the ticket to a member',
    });
  }
  return assign(t, { type: 'assign', assignee: actor.id, team, reason: 'taken' }, work, actor);
}

export function applyTicketAction(t: DeskTicket, a: TicketAction, work: DeskWork, actor: Actor): TicketOutcome {
  const ctx = work.ctx(actor);
  switch (a.type) {
    case 'ack': return acknowledgeTicket(t, ctx, a.note ?? '');
    case 'start': return startWork(t, ctx);
    case 'wait': return waitOnCustomer(t, ctx, a.reason);
    case 'resume': return customerReplied(t, ctx);
    case 'resolve': return resolveTicket(t, ctx, { ...(a.cause === undefined ? {} : { cause: a.cause }), ...(a.action === undefined ? {} : { action: a.action }), ...(a.fix === undefined ? {} : { fix: a.fix }) });
    case 'close': return closeTicket(t, ctx, a.reason ?? '');
    case 'reopen': return reopenTicket(t, ctx, a.reason);
    case 'escalate': return escalateTicket(t, work.escalation(actor), a.reason);
    case 'assign': return assign(t, a, work, actor);
    case 'priority': return overrideTicketPriority(t, { priority: a.priority, why: a.reason }, ctx);
    case 'comment': return addComment(t, ctx, { text: a.text, visibility: a.visibility });
    case 'take': return take(t, work, actor);
    case 'rate': return rateSatisfaction(t, ctx, { score: a.score, ...(a.comment === undefined ? {} : { comment: a.comment }) });
  }
}

export function ticketAction(work: DeskWork, t: DeskTicket, a: TicketAction, actor: Actor): DeskTicket {
  return work.ticket(applyTicketAction(t, a, work, actor), t);
}
