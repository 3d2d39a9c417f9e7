/** What every service-desk transition takes in (time, actor, policies) and gives back (state, effects, audit). */
import type { Actor, AuditRecord } from './audit-record.js';
import type { DeskTicket } from '../tickets/desk-ticket.js';
import type { DeskEffect } from '../notifications/notifications.js';
import { ALWAYS_CALENDAR, type CalendarSet } from '../sla/sla-calendar.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../sla/sla-policy.js';

export interface LifecyclePolicy {
  /** A resolved device ticket closes once its fault has stayed cleared this long. */
  verifyClearMs: number;
  /** A fault recurring this long after its ticket was resolved reopens it; later, it opens a new ticket. */
  reopenWindowMs: number;
}

export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = { verifyClearMs: 15 * 60_000, reopenWindowMs: 7 * 24 * 3_600_000 };

export interface DeskContext {
  /** Collector time of the action, epoch ms. */
  nowMs: number;
  actor: Actor;
  sla: SlaPolicy;
  calendars: CalendarSet;
  lifecycle: LifecyclePolicy;
}

export const DEFAULT_CALENDARS: CalendarSet = { [ALWAYS_CALENDAR.id]: ALWAYS_CALENDAR };

/** A context with the default policies, for the given time and actor. */
export function deskContext(nowMs: number, actor: Actor, over: Partial<Omit<DeskContext, 'nowMs' | 'actor'>> = {}): DeskContext {
  return { nowMs, actor, sla: DEFAULT_SLA_POLICY, calendars: DEFAULT_CALENDARS, lifecycle: DEFAULT_LIFECYCLE_POLICY, ...over };
}

export interface TicketOutcome {
  ticket: DeskTicket;
  effects: DeskEffect[];
  audit: AuditRecord[];
}

/** Chains a second step onto an outcome, keeping effects and audit records in order. */
export function andThen(first: TicketOutcome, next: (t: DeskTicket) => TicketOutcome): TicketOutcome {
  const second = next(first.ticket);
  return { ticket: second.ticket, effects: [...first.effects, ...second.effects], audit: [...first.audit, ...second.audit] };
}
