/**
 * A ticket just stored (it has its id and number): record the opening, route it, assign it, and
 * tell its new owner. Works the same for device, site-parent and manual tickets.
 */
import { auditRecord } from '../desk/audit-record.js';
import { routeAndAssign, type OpenLoad } from '../routing/assignment.js';
import { andThen, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { ticketRef, type DeskTicket } from './desk-ticket.js';
import { notifyTicket } from '../notifications/notifications.js';
import type { Team } from '../routing/on-call.js';
import { routeTicket, type RoutingConfig, type RoutingInput } from '../routing/routing.js';

export interface IntakeConfig {
  routing: RoutingConfig;
  teams: Readonly<Record<string, Team>>;
  load: OpenLoad;
}

/** `where`: the site's region and the device's model for routing (model '' for a ticket without a device). */
export function intakeTicket(t: DeskTicket, where: Pick<RoutingInput, 'region' | 'model'>, config: IntakeConfig, ctx: DeskContext): TicketOutcome {
  const opened: TicketOutcome = {
    ticket: t, effects: [],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(t) }, 'open', {
      to: t.status, reason: `${t.origin} ticket: ${t.priorityReason}`, details: { priority: t.priority, parentId: t.parentId },
    })],
  };
  const route = routeTicket({ ...where, site: t.site, category: t.category, severity: t.severity, labels: t.labels }, config.routing);
  const assigned = andThen(opened, (cur) => routeAndAssign(cur, route, config.teams, config.load, ctx));
  return { ...assigned, effects: [notifyTicket(assigned.ticket, 'ticket.opened', ctx.nowMs, t.priorityReason), ...assigned.effects] };
}
