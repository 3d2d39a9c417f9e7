/**
 * Time stamps found in log lines, read by hand (no Date.parse, no regex) because they sit on the
 * hot path: RFC 3339 (RFC 5424, rsyslog's high-precision format, JSON logs) and the BSD
 * `Mmm dd hh:mm:ss` of RFC 3164, which has neither year nor zone.
 */
import type { TimeZoneMode } from './record.js';

const DAY_MS = 86_400_000;

/** Digits at s[i..i+n) as a number, or -1 when any is not a digit. */
export function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

export interface ScannedTime {
  timeMs: number;
  /** Index just past the time stamp. */
  end: number;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` starting at `start` ('T' may be 't' or a space).
 * A missing zone is read as UTC only when `zoneOptional`. Returns undefined when it is not one.
 */
export function scanRfc3339(s: string, start: number, zoneOptional = false): ScannedTime | undefined {
  const year = digits(s, start, 4);
  const month = digits(s, start + 5, 2);
  const day = digits(s, start + 8, 2);
  const hour = digits(s, start + 11, 2);
  const minute = digits(s, start + 14, 2);
  const second = digits(s, start + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  if (s.charCodeAt(start + 4) !== 45 || s.charCodeAt(start + 7) !== 45 || s.charCodeAt(start + 13) !== 58 || s.charCodeAt(start + 16) !== 58) return undefined;
  const sep = s.charCodeAt(start + 10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return undefined; // T t space
  let i = start + 19;
  let fracMs = 0;
  if (s.charCodeAt(i) === 46) { // '.'
    i++;
    let scale = 100;
    const from = i;
    for (;;) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      fracMs += c * scale;
      scale /= 10;
      i++;
    }
    if (i === from) return undefined;
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) { // Z z
    i++;
  } else if (z === 43 || z === 45) { // + -
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || s.charCodeAt(i + 3) !== 58) return undefined;
    offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else if (!zoneOptional) {
    return undefined;
  }
  const timeMs = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fracMs) - offsetMin * 60_000;
  return { timeMs, end: i };
}

const MONTHS = new Map(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i]));

/**
 * `Mmm dd hh:mm:ss[.fraction]` (day space-padded `Oct  5`, zero-padded `Oct 05` or bare `Oct 5`).
 * The year is the read time's year, rolled back one year when that would put the line more than a
 * day in the future (a December line read in January). Returns undefined when it is not one.
 */
export function scanBsdTime(s: string, start: number, readTimeMs: number, zone: TimeZoneMode): ScannedTime | undefined {
  const month = MONTHS.get(s.slice(start, start + 3));
  if (month === undefined || s.charCodeAt(start + 3) !== 32) return undefined;
  let i = start + 4;
  if (s.charCodeAt(i) === 32) i++;
  let day = digits(s, i, 2);
  if (day >= 0 && s.charCodeAt(i + 2) === 32) i += 3;
  else if ((day = digits(s, i, 1)) >= 0 && s.charCodeAt(i + 1) === 32) i += 2;
  else return undefined;
  const hour = digits(s, i, 2);
  const minute = digits(s, i + 3, 2);
  const second = digits(s, i + 6, 2);
  if (day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  if (s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return undefined;
  i += 8;
  let fracMs = 0;
  if (s.charCodeAt(i) === 46) {
    const from = ++i;
    let scale = 100;
    for (;;) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      fracMs += c * scale;
      scale /= 10;
      i++;
    }
    if (i === from) return undefined;
  }
  const year = zone === 'utc' ? new Date(readTimeMs).getUTCFullYear() : new Date(readTimeMs).getFullYear();
  let timeMs = wallTime(zone, year, month, day, hour, minute, second) + Math.floor(fracMs);
  if (timeMs > readTimeMs + DAY_MS) timeMs = wallTime(zone, year - 1, month, day, hour, minute, second) + Math.floor(fracMs);
  return { timeMs, end: i };
}

function wallTime(zone: TimeZoneMode, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return zone === 'utc' ? Date.UTC(year, month, day, hour, minute, second) : new Date(year, month, day, hour, minute, second).getTime();
}
