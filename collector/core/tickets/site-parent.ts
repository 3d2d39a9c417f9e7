/**
 * A site parent ticket follows its children: it stands for one site-wide cause, and the cause is
 * over when every device ticket under it is closed (each verified by its own device). Then the
 * collector resolves and closes the parent, saying so; if a child's fault comes back while the
 * parent is resolved, or closed within the reopen window, the parent reopens with it. A parent
 * with no children, or one an engineer already closed, is left alone.
 */
import { SYSTEM } from '../desk/audit-record.js';
import { andThen, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { ticketRef, type DeskTicket, type FixKind } from './desk-ticket.js';
import { closeTicket, reopenTicket, resolveTicket, withinReopenWindow } from './ticket-lifecycle.js';

/** What the parent needs to know of a child. */
export type ChildTicket = Pick<DeskTicket, 'status' | 'resolution'>;

/** Resolves (if needed) and closes the parent once every child is closed; null when there is nothing to do. */
export function closeParentWithChildren(parent: DeskTicket, children: readonly ChildTicket[], ctx: DeskContext): TicketOutcome | null {
  if (!parent.siteParent || parent.status === 'closed' || children.length === 0 || children.some((c) => c.status !== 'closed')) return null;
  const system = { ...ctx, actor: SYSTEM };
  const why = `all ${children.length} child tickets closed`;
  // The parent's fix is only as permanent as its weakest child's.
  const fix: FixKind = children.some((c) => c.resolution?.fix === 'workaround') ? 'workaround' : 'permanent';
  const resolved: TicketOutcome = parent.status === 'resolved' ? { ticket: parent, effects: [], audit: [] }
    : resolveTicket(parent, system, { cause: `site-wide ${parent.category} fault at ${parent.site}; see the child tickets`, action: why, fix });
  return andThen(resolved, (t) => closeTicket(t, system, why));
}

/** Reopens a resolved parent, or a closed one within the reopen window, when `child` reopened; null otherwise. */
export function reopenParentWithChild(parent: DeskTicket, child: DeskTicket, ctx: DeskContext): TicketOutcome | null {
  if (!parent.siteParent || (parent.status !== 'resolved' && parent.status !== 'closed')) return null;
  if (parent.status === 'closed' && !withinReopenWindow(parent, ctx.nowMs, ctx.lifecycle.reopenWindowMs)) return null;
  return reopenTicket(parent, { ...ctx, actor: SYSTEM }, `child ticket ${ticketRef(child)} reopened`);
}
