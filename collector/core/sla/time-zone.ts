/**
 * Civil dates and wall-clock times in IANA time zones, on top of Intl.DateTimeFormat (part of
 * JavaScript, so allowed in the pure core). Converting a wall time to an instant follows the
 * "compatible" rule of Temporal and RFC 5545: a time skipped by a spring-forward gap moves forward
 * by the gap (02:30 on a 02:00→03:00 day is 03:30), and a time repeated by a fall-back overlap
 * means its first occurrence.
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

export interface WallClock extends CivilDate {
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (cause) {
      throw deskError(DESK_ERROR_CODES.timeZoneUnknown, `unknown time zone "${timeZone}"`, { timeZone, cause: String(cause) },
        'use an IANA time zone name such as Europe/Berlin or America/New_York');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws FL_ERR_TIME_ZONE_UNKNOWN unless `timeZone` is a zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall clock read as if it were UTC, in ms (whole seconds). */
function wallAsUtcMs(timeZone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instantMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
}

/** The zone's UTC offset at an instant, in ms (east positive). */
export function utcOffsetMs(timeZone: string, instantMs: number): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtcMs(timeZone, wholeSecond) - wholeSecond;
}

export function wallClockAt(timeZone: string, instantMs: number): WallClock {
  const local = new Date(instantMs + utcOffsetMs(timeZone, instantMs));
  return {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(), weekday: local.getUTCDay(),
  };
}

/** The instant at which the wall clock in `timeZone` shows `date` + `minuteOfDay` (1440 = next midnight). */
export function instantAt(timeZone: string, date: CivilDate, minuteOfDay: number): number {
  const local = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const before = utcOffsetMs(timeZone, local - DAY_MS);
  const after = utcOffsetMs(timeZone, local + DAY_MS);
  const early = local - before;
  if (before === after) return early;
  const late = local - after;
  const valid = [early, late].filter((t) => t + utcOffsetMs(timeZone, t) === local);
  if (valid.length > 0) return Math.min(...valid);
  return early; // in a gap: the offset before the gap carries the time forward past it
}

export function civilDateAt(timeZone: string, instantMs: number): CivilDate {
  const { year, month, day } = wallClockAt(timeZone, instantMs);
  return { year, month, day };
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday */
export function weekdayOf(date: CivilDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function formatCivilDate(date: CivilDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function parseCivilDate(text: string): CivilDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!date || formatCivilDate(addDays(date, 0)) !== text) {
    throw deskError(DESK_ERROR_CODES.timeFormat, `"${text}" is not a date`, { value: text }, 'write dates as YYYY-MM-DD, e.g. 2024-12-25');
  }
  return date;
}

/** "HH:MM" (00:00–24:00) as minutes since midnight. */
export function parseClockTime(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 1440) {
    throw deskError(DESK_ERROR_CODES.timeFormat, `"${text}" is not a time of day`, { value: text }, 'write times as HH:MM, 00:00 to 24:00');
  }
  return minutes;
}
