import t from 'tap';
import { ALWAYS_CALENDAR, compileCalendar } from '../../collector/core/sla/sla-calendar.js';
import {
  advanceClock, clockStatus, elapsedMs, nextClockDeadline, pauseClock, restartClock, resumeClock, startClock, stopClock, type SlaClock,
} from '../../collector/core/sla/sla-clock.js';
import { DEFAULT_SLA_POLICY, retargetTicketClocks, startTicketClocks, validateSlaPolicy, type SlaPolicy } from '../../collector/core/sla/sla-policy.js';
import { DEFAULT_CALENDARS } from '../../collector/core/desk/desk-context.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const berlin = compileCalendar({
  id: 'berlin-office', kind: 'business', timeZone: 'Europe/Berlin',
  week: { mon: [{ start: '08:00', end: '17:00' }], tue: [{ start: '08:00', end: '17:00' }], wed: [{ start: '08:00', end: '17:00' }], thu: [{ start: '08:00', end: '17:00' }], fri: [{ start: '08:00', end: '17:00' }] },
});

function clock(targetMs: number, startedMs = T0, calendarId = '24x7'): SlaClock {
  return startClock('resolution', { calendarId, targetMs, warnFraction: 0.75 }, startedMs);
}

t.test('default SLA targets per priority (24x7)', async (t) => {
  const table: Array<[keyof SlaPolicy['targets'], number, number]> = [
    ['P1', 15 * MIN, 4 * H], ['P2', H, 24 * H], ['P3', 4 * H, 3 * 24 * H], ['P4', 24 * H, 10 * 24 * H],
  ];
  for (const [priority, response, resolution] of table) {
    const clocks = startTicketClocks(DEFAULT_SLA_POLICY, priority, T0);
    t.equal(clockStatus(clocks.response, ALWAYS_CALENDAR, T0).dueMs, T0 + response, `${priority} respond within ${response / MIN} min`);
    t.equal(clockStatus(clocks.resolution, ALWAYS_CALENDAR, T0).dueMs, T0 + resolution, `${priority} resolve within ${resolution / H} h`);
    t.equal(clockStatus(clocks.response, ALWAYS_CALENDAR, T0).warnAtMs, T0 + Math.ceil(response * 0.75), `${priority} response warning at 75 %`);
  }
  t.equal(validateSlaPolicy(DEFAULT_SLA_POLICY, DEFAULT_CALENDARS), DEFAULT_SLA_POLICY, 'the default policy is valid');
});

t.test('a bad policy is refused with every problem listed', async (t) => {
  const bad: SlaPolicy = {
    ...DEFAULT_SLA_POLICY, warnFraction: 1.5,
    targets: { ...DEFAULT_SLA_POLICY.targets, P1: { responseMinutes: 120, resolutionMinutes: 60, calendarId: 'nope' } },
  };
  t.throws(() => validateSlaPolicy(bad, DEFAULT_CALENDARS), {
    code: 'FL_ERR_SLA_POLICY_INVALID',
    context: { problems: ['warnFraction 1.5 is not between 0 and 1', 'P1: resolution target must not be shorter than the response target', 'P1: unknown calendar "nope"', 'P1 responds slower than P2'] },
  });
});

t.test('due and warning instants with pauses (24x7, 4 h target)', async (t) => {
  const table: Array<{ name: string; build: (c: SlaClock) => SlaClock; due: number | null; warn: number | null; elapsedAtT0Plus6h: number }> = [
    { name: 'running', build: (c) => c, due: T0 + 4 * H, warn: T0 + 3 * H, elapsedAtT0Plus6h: 6 * H },
    {
      name: 'paused 2 h after 1 h: both instants move 2 h',
      build: (c) => resumeClock(pauseClock(c, T0 + H, 'waiting-on-customer'), T0 + 3 * H), due: T0 + 6 * H, warn: T0 + 5 * H, elapsedAtT0Plus6h: 4 * H,
    },
    { name: 'paused and not resumed: no due time', build: (c) => pauseClock(c, T0 + H, 'waiting-on-customer'), due: null, warn: null, elapsedAtT0Plus6h: H },
    { name: 'paused after the warning: the warning instant stays in the past', build: (c) => pauseClock(c, T0 + 3.5 * H, 'w'), due: null, warn: T0 + 3 * H, elapsedAtT0Plus6h: 3.5 * H },
    { name: 'stopped in time', build: (c) => stopClock(c, T0 + 2 * H), due: null, warn: null, elapsedAtT0Plus6h: 2 * H },
    { name: 'stopped late: due and warning lie before the stop', build: (c) => stopClock(c, T0 + 5 * H), due: T0 + 4 * H, warn: T0 + 3 * H, elapsedAtT0Plus6h: 5 * H },
    { name: 'stopped exactly on the due instant: met, no breach', build: (c) => stopClock(c, T0 + 4 * H), due: null, warn: T0 + 3 * H, elapsedAtT0Plus6h: 4 * H },
    {
      name: 'reopened: the resolved time counts as a pause',
      build: (c) => restartClock(stopClock(c, T0 + H), T0 + 2 * H, 'reopened'), due: T0 + 5 * H, warn: T0 + 4 * H, elapsedAtT0Plus6h: 5 * H,
    },
  ];
  for (const row of table) {
    const c = row.build(clock(4 * H));
    const s = clockStatus(c, ALWAYS_CALENDAR, T0 + 6 * H);
    t.equal(iso(s.dueMs), iso(row.due), `${row.name}: due`);
    t.equal(iso(s.warnAtMs), iso(row.warn), `${row.name}: warning`);
    t.equal(elapsedMs(c, ALWAYS_CALENDAR, T0 + 6 * H), row.elapsedAtT0Plus6h, `${row.name}: elapsed`);
  }
  t.same(clockStatus(stopClock(clock(4 * H), T0 + 2 * H), ALWAYS_CALENDAR, T0 + 6 * H), {
    state: 'stopped', elapsedMs: 2 * H, remainingMs: 2 * H, dueMs: null, warnAtMs: null, met: true, breached: false,
  }, 'status of a clock stopped within target');
  t.match(clockStatus(stopClock(clock(4 * H), T0 + 5 * H), ALWAYS_CALENDAR, T0 + 6 * H), { met: false, breached: true, remainingMs: -H });
});

t.test('a business-hours clock keeps working time only (Berlin, over the DST weekend)', async (t) => {
  // Fri 2024-03-29 15:00 CET; 4 h target: 2 h on Friday, 2 h on Monday (now CEST) → due Mon 10:00 CEST.
  const c = startClock('response', { calendarId: berlin.id, targetMs: 4 * H, warnFraction: 0.75 }, Date.parse('2024-03-29T14:00:00Z'));
  const s = clockStatus(c, berlin, Date.parse('2024-03-30T12:00:00Z'));
  t.equal(iso(s.dueMs), '2024-04-01T08:00:00.000Z', 'due Monday 10:00 CEST');
  t.equal(iso(s.warnAtMs), '2024-04-01T07:00:00.000Z', 'warning Monday 09:00 CEST (3 h of 4 h)');
  t.equal(s.elapsedMs, 2 * H, 'Saturday counts nothing');
});

t.test('warnings and breaches are reported once, at their exact instants, however late the tick', async (t) => {
  const c = clock(4 * H);
  t.equal(nextClockDeadline(c, ALWAYS_CALENDAR), T0 + 3 * H, 'the timer is set for the warning');
  t.same(advanceClock(c, ALWAYS_CALENDAR, T0 + 3 * H - 1).events, [], 'nothing before the warning');
  const warned = advanceClock(c, ALWAYS_CALENDAR, T0 + 3 * H);
  t.same(warned.events, [{ type: 'sla-warning', clock: 'resolution', atMs: T0 + 3 * H }], 'warning exactly on time');
  t.equal(nextClockDeadline(warned.clock, ALWAYS_CALENDAR), T0 + 4 * H, 'then the timer is set for the breach');
  const late = advanceClock(c, ALWAYS_CALENDAR, T0 + 9 * H);
  t.same(late.events, [
    { type: 'sla-warning', clock: 'resolution', atMs: T0 + 3 * H }, { type: 'sla-breach', clock: 'resolution', atMs: T0 + 4 * H },
  ], 'a late tick reports both, stamped when they happened');
  t.same(advanceClock(late.clock, ALWAYS_CALENDAR, T0 + 10 * H).events, [], 'never twice');
  t.equal(nextClockDeadline(late.clock, ALWAYS_CALENDAR), null, 'nothing left to wait for');
  const stoppedEarly = stopClock(c, T0 + H);
  t.same(advanceClock(stoppedEarly, ALWAYS_CALENDAR, T0 + 9 * H).events, [], 'a clock stopped in time never warns');
  t.equal(nextClockDeadline(pauseClock(c, T0 + H, 'w'), ALWAYS_CALENDAR), null, 'a paused clock sets no timer');
});

t.test('invalid clock operations are typed errors', async (t) => {
  const c = clock(4 * H);
  const table: Array<[string, () => unknown]> = [
    ['resume a running clock', () => resumeClock(c, T0)],
    ['pause a paused clock', () => pauseClock(pauseClock(c, T0, 'a'), T0 + 1, 'b')],
    ['stop a stopped clock', () => stopClock(stopClock(c, T0), T0 + 1)],
    ['restart a running clock', () => restartClock(c, T0, 'x')],
  ];
  for (const [name, fn] of table) t.throws(fn, { code: 'FL_ERR_SLA_CLOCK_STATE' }, name);
});

t.test('a priority change retargets both clocks from the start', async (t) => {
  const clocks = startTicketClocks(DEFAULT_SLA_POLICY, 'P3', T0);
  const p1 = retargetTicketClocks(clocks, DEFAULT_SLA_POLICY, 'P1');
  t.equal(clockStatus(p1.response, ALWAYS_CALENDAR, T0).dueMs, T0 + 15 * MIN);
  t.equal(clockStatus(p1.resolution, ALWAYS_CALENDAR, T0).dueMs, T0 + 4 * H);
});
