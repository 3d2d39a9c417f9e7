/**
 * Notifications as effects: the core says who should hear about what (a `notify` effect with the
 * event type, recipients and a ticket snapshot); the edge carries it out (webhooks, chat, mail).
 */
import type { AuditDetail } from '../desk/audit-record.js';
import type { DeskTicket } from '../tickets/desk-ticket.js';

export const NOTIFY_EVENTS = [
  'ticket.opened', 'ticket.assigned', 'ticket.acknowledged', 'ticket.escalated', 'ticket.management-alert',
  'ticket.sla-warning', 'ticket.sla-breach', 'ticket.resolved', 'ticket.reopened', 'ticket.closed', 'ticket.commented',
  'alarm.flood-start', 'alarm.flood-end', 'alarm.chatter-start', 'alarm.chatter-end',
  // A signed checkpoint of the audit trail's head (sent only to webhooks that name it, never by "*").
  'audit.checkpoint',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export type Recipient =
  | { kind: 'member'; id: string }
  | { kind: 'team'; id: string }
  | { kind: 'reporter'; id: string }
  | { kind: 'management' };

/** What a notification says about a ticket: enough to act on without another lookup. */
export interface TicketSnapshot {
  id: number;
  number: string;
  title: string;
  status: DeskTicket['status'];
  priority: DeskTicket['priority'];
  priorityReason: string;
  category: DeskTicket['category'];
  site: string;
  device: string;
  code: string;
  origin: DeskTicket['origin'];
  team: string | null;
  tier: DeskTicket['tier'];
  assignee: string | null;
  faultActive: boolean;
  openedAtMs: number;
  acknowledgedAtMs: number | null;
  resolvedAtMs: number | null;
  closedAtMs: number | null;
}

export interface NotifyEffect {
  type: 'notify';
  event: NotifyEvent;
  /** When it happened (an SLA breach carries the breach instant, not the tick's). */
  atMs: number;
  recipients: Recipient[];
  site: string;
  ticket: TicketSnapshot | null;
  reason: string;
  details: Record<string, AuditDetail>;
}

/** Everything the core asks the edge to do. Only notifications so far. */
export type DeskEffect = NotifyEffect;

export function ticketSnapshot(t: DeskTicket): TicketSnapshot {
  return {
    id: t.id, number: t.number, title: t.title, status: t.status, priority: t.priority, priorityReason: t.priorityReason,
    category: t.category, site: t.site, device: t.device, code: t.code, origin: t.origin, team: t.team, tier: t.tier,
    assignee: t.assignee, faultActive: t.faultActive, openedAtMs: t.openedAtMs, acknowledgedAtMs: t.acknowledgedAtMs,
    resolvedAtMs: t.resolvedAtMs, closedAtMs: t.closedAtMs,
  };
}

/** The people a ticket event concerns by default: its assignee, else its team's queue. */
export function ticketOwners(t: DeskTicket): Recipient[] {
  if (t.assignee) return [{ kind: 'member', id: t.assignee }];
  return t.team ? [{ kind: 'team', id: t.team }] : [];
}

export function notifyTicket(
  t: DeskTicket, event: NotifyEvent, atMs: number, reason: string,
  opts: { recipients?: Recipient[]; details?: Record<string, AuditDetail> } = {},
): NotifyEffect {
  return {
    type: 'notify', event, atMs, recipients: opts.recipients ?? ticketOwners(t), site: t.site, ticket: ticketSnapshot(t),
    reason, details: opts.details ?? {},
  };
}

export function notifySite(site: string, event: NotifyEvent, atMs: number, reason: string, details: Record<string, AuditDetail> = {}): NotifyEffect {
  return { type: 'notify', event, atMs, recipients: [], site, ticket: null, reason, details };
}
