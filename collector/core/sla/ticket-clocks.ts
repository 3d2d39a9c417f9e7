/**
 * A ticket's two SLA clocks driven by its status: the response clock stops at the first response
 * (acknowledged, in progress or resolved); the resolution clock pauses in the policy's pause
 * statuses (waiting-on-customer), stops at resolved and restarts on reopen. Warnings and breaches
 * become audit records and notify effects stamped with their exact instants.
 */
import { auditRecord, SYSTEM } from '../desk/audit-record.js';
import type { TicketOutcome } from '../desk/desk-context.js';
import { ticketRef, type DeskTicket } from '../tickets/desk-ticket.js';
import { notifyTicket } from '../notifications/notifications.js';
import { calendarFor, type CalendarSet } from './sla-calendar.js';
import {
  advanceClock, clockState, clockStatus, nextClockDeadline, pauseClock, restartClock, resumeClock, stopClock, type ClockStatus, type SlaClock,
} from './sla-clock.js';
import { pausesResolution, type SlaPolicy, type TicketClocks } from './sla-policy.js';
import type { TicketStatus } from '../tickets/ticket.js';

const RESPONDED: readonly TicketStatus[] = ['acknowledged', 'in-progress', 'resolved'];

/** Reports every warning and breach up to nowMs (each once). */
export function advanceTicketClocks(t: DeskTicket, calendars: CalendarSet, nowMs: number): TicketOutcome {
  const outcome: TicketOutcome = { ticket: t, effects: [], audit: [] };
  const clocks: TicketClocks = { ...t.sla };
  for (const kind of ['response', 'resolution'] as const) {
    const { clock, events } = advanceClock(clocks[kind], calendarFor(calendars, clocks[kind].calendarId), nowMs);
    clocks[kind] = clock;
    for (const e of events) {
      const what = e.type === 'sla-warning' ? `${Math.round(clock.warnFraction * 100)}% of the ${kind} target used` : `${kind} target missed`;
      const reason = `${t.priority} ${what} (target ${clock.targetMs / 60_000} min)`;
      outcome.audit.push(auditRecord(e.atMs, SYSTEM, { kind: 'ticket', id: ticketRef(t) }, e.type, { reason, details: { clock: kind, targetMs: clock.targetMs } }));
      outcome.effects.push(notifyTicket(t, e.type === 'sla-warning' ? 'ticket.sla-warning' : 'ticket.sla-breach', e.atMs, reason, { details: { clock: kind } }));
    }
  }
  return { ...outcome, ticket: { ...t, sla: clocks } };
}

function runIf(clock: SlaClock, want: boolean, change: (c: SlaClock) => SlaClock): SlaClock {
  return want ? change(clock) : clock;
}

/** The clocks after a status change from `from` to `to` at atMs (`reopen` restarts the resolution clock). */
export function clocksAfterStatusChange(
  clocks: TicketClocks, change: { from: TicketStatus; to: TicketStatus; reopen: boolean; atMs: number }, policy: SlaPolicy,
): TicketClocks {
  const { to, atMs } = change;
  const response = runIf(clocks.response, clockState(clocks.response) !== 'stopped' && RESPONDED.includes(to), (c) => stopClock(c, atMs));
  let resolution = clocks.resolution;
  if (change.reopen) resolution = runIf(resolution, clockState(resolution) === 'stopped', (c) => restartClock(c, atMs, 'reopened'));
  const state = clockState(resolution);
  if (to === 'resolved' || to === 'closed') return { ...clocks, response, resolution: runIf(resolution, state !== 'stopped', (c) => stopClock(c, atMs)) };
  if (pausesResolution(policy, to)) return { ...clocks, response, resolution: runIf(resolution, state === 'running', (c) => pauseClock(c, atMs, to)) };
  return { ...clocks, response, resolution: runIf(resolution, state === 'paused', (c) => resumeClock(c, atMs)) };
}

export function ticketClockStatus(t: DeskTicket, calendars: CalendarSet, nowMs: number): { response: ClockStatus; resolution: ClockStatus } {
  return {
    response: clockStatus(t.sla.response, calendarFor(calendars, t.sla.response.calendarId), nowMs),
    resolution: clockStatus(t.sla.resolution, calendarFor(calendars, t.sla.resolution.calendarId), nowMs),
  };
}

/** The earliest pending SLA warning or breach of the ticket, for an edge timer. */
export function nextTicketClockDeadline(t: DeskTicket, calendars: CalendarSet): number | null {
  const times = [t.sla.response, t.sla.resolution]
    .map((c) => nextClockDeadline(c, calendarFor(calendars, c.calendarId)))
    .filter((x): x is number => x !== null);
  return times.length > 0 ? Math.min(...times) : null;
}
