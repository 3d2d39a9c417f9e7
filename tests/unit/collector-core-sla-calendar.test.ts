import t from 'tap';
import { FaultlineError } from '../../protocol/errors.js';
import {
  addBusinessMs, ALWAYS_CALENDAR, businessMsBetween, compileCalendar, isBusinessTime, type BusinessHours, type Calendar,
} from '../../collector/core/sla/sla-calendar.js';
import { instantAt, wallClockAt } from '../../collector/core/sla/time-zone.js';

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const office = (from: string, to: string): BusinessHours[] => [{ start: from, end: to }];
const weekdays = (h: BusinessHours[]) => ({ mon: h, tue: h, wed: h, thu: h, fri: h });

const berlin = compileCalendar({ id: 'berlin-office', kind: 'business', timeZone: 'Europe/Berlin', week: weekdays(office('08:00', '17:00')), holidays: ['2024-12-25', '2024-12-26'] });
const newYork = compileCalendar({ id: 'ny-office', kind: 'business', timeZone: 'America/New_York', week: weekdays(office('09:00', '17:00')) });
const berlinAllDay = compileCalendar({
  id: 'berlin-all-day', kind: 'business', timeZone: 'Europe/Berlin',
  week: { ...weekdays(office('00:00', '24:00')), sat: office('00:00', '24:00'), sun: office('00:00', '24:00') },
});
const nyNight = compileCalendar({ id: 'ny-sunday-night', kind: 'business', timeZone: 'America/New_York', week: { sun: office('01:00', '04:00') } });

t.test('wall time to instant in a time zone, across DST gaps and overlaps', async (t) => {
  const table: Array<[string, string, [number, number, number], string, string]> = [
    ['Berlin winter', 'Europe/Berlin', [2024, 1, 15], '09:00', '2024-01-15T08:00:00Z'],
    ['Berlin summer', 'Europe/Berlin', [2024, 7, 15], '09:00', '2024-07-15T07:00:00Z'],
    ['Berlin spring gap: 02:30 does not exist, moves forward to 03:30 CEST', 'Europe/Berlin', [2024, 3, 31], '02:30', '2024-03-31T01:30:00Z'],
    ['Berlin autumn overlap: 02:30 happens twice, the first (CEST) counts', 'Europe/Berlin', [2024, 10, 27], '02:30', '2024-10-27T00:30:00Z'],
    ['New York spring gap: 02:30 → 03:30 EDT', 'America/New_York', [2024, 3, 10], '02:30', '2024-03-10T07:30:00Z'],
    ['New York autumn overlap: 01:30 EDT first', 'America/New_York', [2024, 11, 3], '01:30', '2024-11-03T05:30:00Z'],
  ];
  for (const [name, zone, [year, month, day], hhmm, want] of table) {
    const [h, m] = hhmm.split(':').map(Number);
    t.equal(new Date(instantAt(zone, { year, month, day }, (h ?? 0) * 60 + (m ?? 0))).toISOString(), new Date(want).toISOString(), name);
  }
  t.match(wallClockAt('America/New_York', at('2024-11-03T06:30:00Z')), { day: 3, minuteOfDay: 90, weekday: 0 }, 'second 01:30 reads as 01:30');
});

t.test('business time elapsed between two instants', async (t) => {
  const table: Array<{ name: string; cal: Calendar; from: string; to: string; hours: number }> = [
    { name: '24x7 counts wall time', cal: ALWAYS_CALENDAR, from: '2024-03-29T15:00:00Z', to: '2024-04-01T09:00:00Z', hours: 66 },
    { name: 'one business day', cal: berlin, from: '2024-01-15T00:00:00Z', to: '2024-01-16T00:00:00Z', hours: 9 },
    { name: 'outside hours counts nothing', cal: berlin, from: '2024-01-15T17:00:00Z', to: '2024-01-16T06:59:00Z', hours: 0 },
    { name: 'weekend skipped', cal: berlin, from: '2024-01-19T15:00:00Z', to: '2024-01-22T09:00:00Z', hours: 3 },
    { name: 'Berlin DST weekend: Fri + Mon are 9 h each though UTC shifted', cal: berlin, from: '2024-03-29T07:00:00Z', to: '2024-04-01T15:00:00Z', hours: 18 },
    { name: 'Berlin: the spring-forward Sunday lasts 23 h', cal: berlinAllDay, from: '2024-03-30T23:00:00Z', to: '2024-03-31T22:00:00Z', hours: 23 },
    { name: 'Berlin: the fall-back Sunday lasts 25 h', cal: berlinAllDay, from: '2024-10-26T22:00:00Z', to: '2024-10-27T23:00:00Z', hours: 25 },
    { name: 'New York: 01:00-04:00 on the spring-forward night is 2 h', cal: nyNight, from: '2024-03-10T00:00:00Z', to: '2024-03-11T00:00:00Z', hours: 2 },
    { name: 'New York: 01:00-04:00 on the fall-back night is 4 h', cal: nyNight, from: '2024-11-03T00:00:00Z', to: '2024-11-04T00:00:00Z', hours: 4 },
    { name: 'holidays count nothing', cal: berlin, from: '2024-12-24T00:00:00Z', to: '2024-12-28T00:00:00Z', hours: 18 },
    { name: 'reversed interval is zero', cal: berlin, from: '2024-01-16T00:00:00Z', to: '2024-01-15T00:00:00Z', hours: 0 },
  ];
  for (const row of table) t.equal(businessMsBetween(row.cal, at(row.from), at(row.to)), row.hours * H, row.name);
});

t.test('the instant N business minutes after a start (due times)', async (t) => {
  const table: Array<{ name: string; cal: Calendar; from: string; hours: number; want: string }> = [
    { name: '24x7: plain addition', cal: ALWAYS_CALENDAR, from: '2024-03-29T15:00:00Z', hours: 4, want: '2024-03-29T19:00:00Z' },
    { name: 'within the day', cal: berlin, from: '2024-01-15T08:00:00Z', hours: 2, want: '2024-01-15T10:00:00Z' },
    { name: 'ending exactly at closing time is due at closing time', cal: berlin, from: '2024-01-15T14:00:00Z', hours: 2, want: '2024-01-15T16:00:00Z' },
    { name: 'started before opening: counts from opening', cal: berlin, from: '2024-01-15T05:00:00Z', hours: 1, want: '2024-01-15T08:00:00Z' },
    { name: 'Berlin Fri 16:00 CET + 2 h → Mon 09:00 CEST (over the DST change)', cal: berlin, from: '2024-03-29T15:00:00Z', hours: 2, want: '2024-04-01T07:00:00Z' },
    { name: 'Berlin Fri 16:00 CEST + 2 h → Mon 09:00 CET (over the fall-back)', cal: berlin, from: '2024-10-25T14:00:00Z', hours: 2, want: '2024-10-28T08:00:00Z' },
    { name: 'New York Fri 16:00 EST + 2 h → Mon 10:00 EDT', cal: newYork, from: '2024-03-08T21:00:00Z', hours: 2, want: '2024-03-11T14:00:00Z' },
    { name: 'New York Fri 16:00 EDT + 2 h → Mon 10:00 EST', cal: newYork, from: '2024-11-01T20:00:00Z', hours: 2, want: '2024-11-04T15:00:00Z' },
    { name: 'Christmas holidays skipped: Tue 16:00 + 2 h → Fri 09:00', cal: berlin, from: '2024-12-24T15:00:00Z', hours: 2, want: '2024-12-27T08:00:00Z' },
    { name: 'zero minutes is due at once', cal: berlin, from: '2024-01-13T12:00:00Z', hours: 0, want: '2024-01-13T12:00:00Z' },
  ];
  for (const row of table) {
    const due = addBusinessMs(row.cal, at(row.from), row.hours * H);
    t.equal(new Date(due).toISOString(), new Date(row.want).toISOString(), row.name);
    t.equal(businessMsBetween(row.cal, at(row.from), due), row.hours * H, `${row.name}: round trip`);
  }
});

t.test('whether an instant is business time', async (t) => {
  t.equal(isBusinessTime(berlin, at('2024-01-15T08:00:00Z')), true, 'Monday 09:00 CET');
  t.equal(isBusinessTime(berlin, at('2024-01-15T16:00:00Z')), false, 'Monday 17:00 CET is closing time');
  t.equal(isBusinessTime(berlin, at('2024-12-25T10:00:00Z')), false, 'a holiday');
  t.equal(isBusinessTime(ALWAYS_CALENDAR, at('2024-12-25T03:00:00Z')), true, '24x7');
});

t.test('a bad calendar is refused with every problem listed', async (t) => {
  const err = t.throws(() => compileCalendar({
    id: 'bad', kind: 'business', timeZone: 'Mars/Olympus',
    week: { mon: [{ start: '09:00', end: '08:00' }], tue: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '13:00' }], wed: [{ start: '25:00', end: '26:00' }] },
    holidays: ['2024-02-30'],
  }));
  t.ok(err instanceof FaultlineError);
  if (!(err instanceof FaultlineError)) return;
  t.equal(err.code, 'FL_ERR_SLA_CALENDAR_INVALID');
  const problems = err.context.problems as string[];
  t.equal(problems.length, 5, problems.join(' | '));
  t.match(err.message, /Mars\/Olympus/);
  t.match(err.message, /does not end after it starts/);
  t.match(err.message, /overlap/);
  t.match(err.message, /2024-02-30/);
  t.throws(() => compileCalendar({ id: 'empty', kind: 'business', timeZone: 'UTC', week: {} }), { code: 'FL_ERR_SLA_CALENDAR_INVALID', message: /no business hours/ });
});

t.test('a calendar with no working time left refuses to compute a due time', async (t) => {
  const days = Array.from({ length: 3800 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
  const never = compileCalendar({ id: 'never', kind: 'business', timeZone: 'UTC', week: weekdays(office('08:00', '17:00')), holidays: days });
  t.throws(() => addBusinessMs(never, at('2024-01-01T00:00:00Z'), H), { code: 'FL_ERR_SLA_CALENDAR_NO_TIME' });
});
