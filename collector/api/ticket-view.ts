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

export function ticketSummary(t: DeskTicket, calendars: CalendarSet, nowMs: number): TicketSummaryJson {
  const { comments, sla, snapshot: _snapshot, logExcerpt: _log, ...rest } = t;
  return {
    ...rest, commentCount: comments.length,
    sla: { policyId: sla.policyId, response: clockJson(sla.response, calendars, nowMs), resolution: clockJson(sla.resolution, calendars, nowMs) },
  };
}

export function ticketJson(t: DeskTicket, calendars: CalendarSet, nowMs: number): DeskTicketJson {
  return { ...ticketSummary(t, calendars, nowMs), comments: t.comments };
}
