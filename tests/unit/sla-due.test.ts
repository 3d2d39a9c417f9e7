/**
 * The next SLA due instant a ticket is sorted by (core/sla/sla-due.ts), table-driven on a business
 * calendar: the running response clock's due time, then the resolution clock's; none while paused
 * or stopped, or once closed; a priority's target counts working time.
 */
import t from 'tap';
import { ticketSlaDueMs } from '../../collector/core/sla/sla-due.js';
import { ALWAYS_CALENDAR, compileCalendar, type CalendarSet } from '../../collector/core/sla/sla-calendar.js';
import { pauseClock, stopClock } from '../../collector/core/sla/sla-clock.js';
import type { TicketClocks } from '../../collector/core/sla/sla-policy.js';
import type { TicketStatus } from '../../collector/core/tickets/ticket.js';

const hours = [{ start: '08:00', end: '17:00' }];
const calendars: CalendarSet = {
  '24x7': ALWAYS_CALENDAR,
  office: compileCalendar({ id: 'office', kind: 'business', timeZone: 'Europe/Berlin', week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours } }),
};
const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
/** Opened Friday 8 March 2024, 16:00 Berlin (15:00Z): response 2 working hours, resolution 10. */
const OPENED = at('2024-03-08T15:00:00Z');

function clocks(calendarId: string): TicketClocks {
  const clock = (kind: 'response' | 'resolution', targetMs: number) => ({
    kind, calendarId, targetMs, warnFraction: 0.75, startedMs: OPENED, pauses: [], stoppedMs: null, warnedAtMs: null, breachedAtMs: null,
  });
  return { policyId: 'test', response: clock('response', 2 * H), resolution: clock('resolution', 10 * H) };
}

const responded = (c: TicketClocks, atMs: number): TicketClocks => ({ ...c, response: stopClock(c.response, atMs) });

const cases: Array<[string, TicketStatus, TicketClocks, number | null]> = [
  ['24x7, new: the response is due 2 h after opening', 'new', clocks('24x7'), at('2024-03-08T17:00:00Z')],
  ['office, new: 1 h on Friday, 1 h on Monday', 'new', clocks('office'), at('2024-03-11T08:00:00Z')],
  ['office, acknowledged Friday 16:30 Berlin: the resolution clock, 1 h Friday + 9 h Monday', 'acknowledged',
    responded(clocks('office'), at('2024-03-08T15:30:00Z')), at('2024-03-11T16:00:00Z')],
  ['office, waiting on the customer: paused, none', 'waiting-on-customer',
    (() => { const c = responded(clocks('office'), OPENED + H / 2); return { ...c, resolution: pauseClock(c.resolution, OPENED + H, 'waiting-on-customer') }; })(), null],
  ['resolved: both stopped, none', 'resolved',
    (() => { const c = responded(clocks('24x7'), OPENED + H / 2); return { ...c, resolution: stopClock(c.resolution, OPENED + H) }; })(), null],
  ['closed: none, whatever the clocks say', 'closed', clocks('24x7'), null],
];

for (const [name, status, sla, expected] of cases) {
  t.equal(ticketSlaDueMs({ status, sla }, calendars), expected, name);
}
