/**
 * A ticket's next SLA due instant, as the store keeps it for sorting by "SLA left": the due time
 * of the clock that matters now (the response clock until the first response, then the
 * resolution clock), computed on the clock's calendar. null when that clock does not run: paused
 * (waiting on the customer) or stopped (resolved, closed). A due instant in the past is a breach.
 */
import type { DeskTicket } from '../tickets/desk-ticket.js';
import { calendarFor, type CalendarSet } from './sla-calendar.js';
import { clockState, instantAtElapsed, type SlaClock } from './sla-clock.js';

function runningDue(clock: SlaClock, calendars: CalendarSet): number | null {
  return clockState(clock) === 'running' ? instantAtElapsed(clock, calendarFor(calendars, clock.calendarId), clock.targetMs) : null;
}

export function ticketSlaDueMs(t: Pick<DeskTicket, 'status' | 'sla'>, calendars: CalendarSet): number | null {
  if (t.status === 'closed') return null;
  if (clockState(t.sla.response) === 'running') return runningDue(t.sla.response, calendars);
  return runningDue(t.sla.resolution, calendars);
}
