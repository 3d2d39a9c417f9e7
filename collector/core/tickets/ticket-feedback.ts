/** Comments on a ticket and the reporter's satisfaction rating. */
import { auditRecord } from '../desk/audit-record.js';
import type { DeskContext, TicketOutcome } from '../desk/desk-context.js';
import { DESK_ERROR_CODES, deskError, requireText } from '../desk/desk-errors.js';
import { ticketRef, type DeskTicket, type TicketComment } from './desk-ticket.js';
import { notifyTicket, ticketOwners, type Recipient } from '../notifications/notifications.js';

/**
 * Adds a comment (allowed in every status, closed included, for the record). A public comment
 * notifies the reporter of a manual ticket and the ticket's owner; an internal one only the owner.
 */
export function addComment(t: DeskTicket, ctx: DeskContext, input: { text: string; visibility: TicketComment['visibility'] }): TicketOutcome {
  const text = requireText(input.text, 'comment text', DESK_ERROR_CODES.ticketFieldRequired, { ticket: ticketRef(t) });
  const comment: TicketComment = { atMs: ctx.nowMs, author: ctx.actor, text, visibility: input.visibility };
  const ticket = { ...t, comments: [...t.comments, comment] };
  const owners = ticketOwners(ticket).filter((r) => !(r.kind === 'member' && r.id === ctx.actor.id));
  const reporter: Recipient[] = input.visibility === 'public' && t.origin !== 'device' && t.reporter !== ctx.actor.id
    ? [{ kind: 'reporter', id: t.reporter }] : [];
  const recipients = [...owners, ...reporter];
  return {
    ticket,
    effects: recipients.length > 0 ? [notifyTicket(ticket, 'ticket.commented', ctx.nowMs, text, { recipients, details: { visibility: input.visibility } })] : [],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, 'comment', { reason: text, details: { visibility: input.visibility } })],
  };
}

/** The reporter rates the service, 1–5, once the ticket is resolved or closed; a later rating replaces it. */
export function rateSatisfaction(t: DeskTicket, ctx: DeskContext, input: { score: number; comment?: string }): TicketOutcome {
  if (t.status !== 'resolved' && t.status !== 'closed') {
    throw deskError(DESK_ERROR_CODES.ticketInvalidTransition, `cannot rate ticket ${ticketRef(t)}: it is ${t.status}`,
      { ticket: ticketRef(t), status: t.status }, 'rate a ticket once it is resolved or closed');
  }
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) {
    throw deskError(DESK_ERROR_CODES.ticketRatingInvalid, `satisfaction score must be an integer 1-5, got ${input.score}`,
      { ticket: ticketRef(t), score: input.score }, 'give 1 (very unhappy) to 5 (very happy)');
  }
  const satisfaction = { score: input.score, comment: (input.comment ?? '').trim(), by: ctx.actor, atMs: ctx.nowMs };
  return {
    ticket: { ...t, satisfaction },
    effects: [],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, 'rate', {
      from: t.satisfaction ? String(t.satisfaction.score) : null, to: String(input.score), reason: satisfaction.comment || 'rated',
    })],
  };
}
