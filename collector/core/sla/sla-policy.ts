/**
 * SLA policies: per priority a response and a resolution target on a named calendar, a warning
 * fraction, and the ticket statuses that pause the resolution clock. Defaults follow common
 * practice on a 24×7 calendar: P1 15 min / 4 h, P2 1 h / 24 h, P3 4 h / 3 days, P4 1 day / 10 days.
 * On a business-hours calendar targets count working minutes (1 day = 1440 working minutes, not
 * one working day), so a business-hours policy states its own targets.
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import type { CalendarSet } from './sla-calendar.js';
import { startClock, type SlaClock } from './sla-clock.js';
import { PRIORITIES, type Priority, type TicketStatus } from '../tickets/ticket.js';

export interface SlaTarget {
  responseMinutes: number;
  resolutionMinutes: number;
  calendarId: string;
}

export interface SlaPolicy {
  id: string;
  /** Fraction of a target at which a breach warning fires, 0 < f < 1 (e.g. 0.75). */
  warnFraction: number;
  targets: Record<Priority, SlaTarget>;
  /** Statuses during which the resolution clock does not run. */
  pauseResolutionWhile: TicketStatus[];
}

export const ALWAYS_CALENDAR_ID = '24x7';

const MINUTE_MS = 60_000;
const HOUR = 60;
const DAY = 24 * HOUR;

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  id: 'default',
  warnFraction: 0.75,
  targets: {
    P1: { responseMinutes: 15, resolutionMinutes: 4 * HOUR, calendarId: ALWAYS_CALENDAR_ID },
    P2: { responseMinutes: HOUR, resolutionMinutes: DAY, calendarId: ALWAYS_CALENDAR_ID },
    P3: { responseMinutes: 4 * HOUR, resolutionMinutes: 3 * DAY, calendarId: ALWAYS_CALENDAR_ID },
    P4: { responseMinutes: DAY, resolutionMinutes: 10 * DAY, calendarId: ALWAYS_CALENDAR_ID },
  },
  pauseResolutionWhile: ['waiting-on-customer'],
};

/** Checks a policy against the known calendars, reporting every problem at once. */
export function validateSlaPolicy(policy: SlaPolicy, calendars: CalendarSet): SlaPolicy {
  const problems: string[] = [];
  if (!(policy.warnFraction > 0 && policy.warnFraction < 1)) problems.push(`warnFraction ${policy.warnFraction} is not between 0 and 1`);
  for (const p of PRIORITIES) {
    const t = policy.targets[p];
    if (!(t.responseMinutes > 0)) problems.push(`${p}: response target must be positive`);
    if (!(t.resolutionMinutes >= t.responseMinutes)) problems.push(`${p}: resolution target must not be shorter than the response target`);
    if (!calendars[t.calendarId]) problems.push(`${p}: unknown calendar "${t.calendarId}"`);
  }
  for (const [higher, lower] of [['P1', 'P2'], ['P2', 'P3'], ['P3', 'P4']] as const) {
    if (policy.targets[higher].responseMinutes > policy.targets[lower].responseMinutes) {
      problems.push(`${higher} responds slower than ${lower}`);
    }
  }
  if (problems.length > 0) {
    throw deskError(DESK_ERROR_CODES.policyInvalid, `SLA policy "${policy.id}" is invalid: ${problems.join('; ')}`,
      { policy: policy.id, problems }, 'fix the listed targets');
  }
  return policy;
}

export function targetMs(policy: SlaPolicy, priority: Priority, kind: 'response' | 'resolution'): number {
  const t = policy.targets[priority];
  return (kind === 'response' ? t.responseMinutes : t.resolutionMinutes) * MINUTE_MS;
}

export interface TicketClocks {
  policyId: string;
  response: SlaClock;
  resolution: SlaClock;
}

/** Both clocks of a ticket opened at `openedMs` with `priority`. */
export function startTicketClocks(policy: SlaPolicy, priority: Priority, openedMs: number): TicketClocks {
  const calendarId = policy.targets[priority].calendarId;
  const opts = (kind: 'response' | 'resolution') => ({ calendarId, targetMs: targetMs(policy, priority, kind), warnFraction: policy.warnFraction });
  return {
    policyId: policy.id,
    response: startClock('response', opts('response'), openedMs),
    resolution: startClock('resolution', opts('resolution'), openedMs),
  };
}

export function pausesResolution(policy: SlaPolicy, status: TicketStatus): boolean {
  return policy.pauseResolutionWhile.includes(status);
}

/** The priority changed: both clocks take the new priority's targets and calendar, measured from the start. */
export function retargetTicketClocks(clocks: TicketClocks, policy: SlaPolicy, priority: Priority): TicketClocks {
  const calendarId = policy.targets[priority].calendarId;
  return {
    ...clocks,
    response: { ...clocks.response, calendarId, targetMs: targetMs(policy, priority, 'response') },
    resolution: { ...clocks.resolution, calendarId, targetMs: targetMs(policy, priority, 'resolution') },
  };
}
