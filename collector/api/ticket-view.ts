/** A desk ticket as the API shows it: its SLA clocks as their status at the time of the request. */
import type { DeskTicket } from '../core/desk-ticket.js';
import { calendarFor, type CalendarSet } from '../core/sla-calendar.js';
import { clockStatus, type SlaClock } from '../core/sla-clock.js';
import type { ClockJson, DeskTicketJson, TicketSummaryJson } from './ticket-schemas.js';

function clockJson(clock: SlaClock, calendars: CalendarSet, nowMs: number): ClockJson {
  const status = clockStatus(clock, calendarFor(calendars, clock.calendarId), nowMs);
  return {
    state: status.state, calendarId: clock.calendarId, targetMs: clock.targetMs, startedMs: clock.startedMs, stoppedMs: clock.stoppedMs,
    elapsedMs: status.elapsedMs, remainingMs: status.remainingMs, warnAtMs: status.warnAtMs, dueMs: status.dueMs,
    warnedAtMs: clock.warnedAtMs, breachedAtMs: clock.breachedAtMs, breached: status.breached, met: status.met,
  };
}

type TicketFields = Omit<TicketSummaryJson, 'commentCount' | 'sla'>;

/**
 * The fields a summary shows as they are, per ticket object: the store hands out the same immutable
 * ticket until it changes, so a list polled again copies them instead of rebuilding them.
 */
const fieldsOf = new WeakMap<DeskTicket, TicketFields>();

function summaryFields(t: DeskTicket): TicketFields {
  let fields = fieldsOf.get(t);
  if (!fields) {
    const { comments: _comments, sla: _sla, snapshot: _snapshot, logExcerpt: _log, ...rest } = t;
    fields = rest;
    fieldsOf.set(t, fields);
  }
  return fields;
}

export function ticketSummary(t: DeskTicket, calendars: CalendarSet, nowMs: number): TicketSummaryJson {
  const { sla } = t;
  return {
    ...summaryFields(t), commentCount: t.comments.length,
    sla: { policyId: sla.policyId, response: clockJson(sla.response, calendars, nowMs), resolution: clockJson(sla.resolution, calendars, nowMs) },
  };
}

export function ticketJson(t: DeskTicket, calendars: CalendarSet, nowMs: number): DeskTicketJson {
  return { ...ticketSummary(t, calendars, nowMs), comments: t.comments };
}
