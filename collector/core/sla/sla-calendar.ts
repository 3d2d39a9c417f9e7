/**
 * Working-time calendars for SLA clocks: 24×7, or business hours per weekday in an IANA time zone
 * with holidays (dates in that zone). Everything is computed in exact instants, DST included: a
 * business day of 08:00–17:00 is 9 hours on either side of a clock change, and a 00:00–24:00 day is
 * 23 or 25 hours long on the days the clocks change.
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import {
  addDays, assertTimeZone, civilDateAt, formatCivilDate, instantAt, parseCivilDate, parseClockTime, weekdayOf, type CivilDate,
} from './time-zone.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local times "HH:MM"; end may be "24:00". */
export interface BusinessHours {
  start: string;
  end: string;
}

export type CalendarDefinition =
  | { id: string; kind: '24x7' }
  | { id: string; kind: 'business'; timeZone: string; week: Partial<Record<Weekday, BusinessHours[]>>; holidays?: string[] };

/** A validated calendar, ready for the clock functions. */
export type Calendar =
  | { id: string; kind: '24x7' }
  | {
    id: string; kind: 'business'; timeZone: string;
    /** Index 0 = Sunday: [startMinute, endMinute) pairs, sorted, not overlapping. */
    periods: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
    holidays: ReadonlySet<string>;
  };

export type CalendarSet = Readonly<Record<string, Calendar>>;

/** How far ahead a due time is searched before a calendar is declared to have no working time. */
const MAX_SEARCH_DAYS = 3700;

function problemsOf(fn: () => void): string[] {
  try { fn(); return []; } catch (err) { return [err instanceof Error ? err.message : String(err)]; }
}

/** Validates a definition, reporting every problem at once (FL_ERR_SLA_CALENDAR_INVALID). */
export function compileCalendar(def: CalendarDefinition): Calendar {
  if (def.kind === '24x7') return { id: def.id, kind: '24x7' };
  const problems: string[] = [...problemsOf(() => assertTimeZone(def.timeZone))];
  const periods: Array<Array<readonly [number, number]>> = WEEKDAYS.map(() => []);
  for (const [index, day] of WEEKDAYS.entries()) {
    const hours = def.week[day] ?? [];
    const parsed: Array<readonly [number, number]> = [];
    for (const h of hours) {
      let start = NaN;
      let end = NaN;
      problems.push(...problemsOf(() => { start = parseClockTime(h.start); end = parseClockTime(h.end); }).map((p) => `${day}: ${p}`));
      if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
      if (start >= end) problems.push(`${day}: ${h.start}-${h.end} does not end after it starts`);
      else parsed.push([start, end]);
    }
    parsed.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < parsed.length; i++) {
      if ((parsed[i]?.[0] ?? 0) < (parsed[i - 1]?.[1] ?? 0)) problems.push(`${day}: business hours overlap`);
    }
    periods[index] = parsed;
  }
  if (periods.every((p) => p.length === 0)) problems.push('no business hours on any weekday');
  const holidays = new Set<string>();
  for (const h of def.holidays ?? []) {
    problems.push(...problemsOf(() => holidays.add(formatCivilDate(parseCivilDate(h)))));
  }
  if (problems.length > 0) {
    throw deskError(DESK_ERROR_CODES.calendarInvalid, `calendar "${def.id}" is invalid: ${problems.join('; ')}`,
      { calendar: def.id, problems }, 'fix the listed business hours, holidays or time zone');
  }
  return { id: def.id, kind: 'business', timeZone: def.timeZone, periods, holidays };
}

export function calendarFor(set: CalendarSet, id: string): Calendar {
  const cal = set[id];
  if (!cal) {
    throw deskError(DESK_ERROR_CODES.calendarUnknown, `no calendar "${id}"`, { calendar: id, known: Object.keys(set) },
      'define the calendar, or point the SLA policy at one that exists');
  }
  return cal;
}

/** The business intervals [startMs, endMs) of one local date. */
export function businessIntervalsOn(cal: Calendar & { kind: 'business' }, date: CivilDate): Array<[number, number]> {
  if (cal.holidays.has(formatCivilDate(date))) return [];
  return (cal.periods[weekdayOf(date)] ?? []).map(([s, e]) => [instantAt(cal.timeZone, date, s), instantAt(cal.timeZone, date, e)]);
}

/** Business time in [fromMs, toMs), in ms; 0 when toMs ≤ fromMs. */
export function businessMsBetween(cal: Calendar, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  if (cal.kind === '24x7') return toMs - fromMs;
  let total = 0;
  for (let date = civilDateAt(cal.timeZone, fromMs); instantAt(cal.timeZone, date, 0) < toMs; date = addDays(date, 1)) {
    for (const [s, e] of businessIntervalsOn(cal, date)) total += Math.max(0, Math.min(e, toMs) - Math.max(s, fromMs));
  }
  return total;
}

/**
 * The instant at which `amountMs` of business time will have elapsed after `fromMs`: the due time
 * of a target. An amount that ends exactly at closing time is due at closing time.
 */
export function addBusinessMs(cal: Calendar, fromMs: number, amountMs: number): number {
  if (amountMs <= 0) return fromMs;
  if (cal.kind === '24x7') return fromMs + amountMs;
  let remaining = amountMs;
  let date = civilDateAt(cal.timeZone, fromMs);
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, date = addDays(date, 1)) {
    for (const [s, e] of businessIntervalsOn(cal, date)) {
      const start = Math.max(s, fromMs);
      if (e <= start) continue;
      if (remaining <= e - start) return start + remaining;
      remaining -= e - start;
    }
  }
  throw deskError(DESK_ERROR_CODES.calendarNoTime, `calendar "${cal.id}" has no working time left within ${MAX_SEARCH_DAYS} days`,
    { calendar: cal.id, fromMs, amountMs }, 'check the calendar\'s holidays and business hours');
}

export function isBusinessTime(cal: Calendar, atMs: number): boolean {
  return businessMsBetween(cal, atMs, atMs + 1) === 1;
}

/** The calendar every default SLA target uses: all time is working time. */
export const ALWAYS_CALENDAR: Calendar = { id: '24x7', kind: '24x7' };
