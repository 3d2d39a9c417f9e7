/**
 * Date-time inputs in the time zone chosen in the header, not the browser's: a datetime-local
 * value ("YYYY-MM-DDTHH:MM[:SS]") read as a wall-clock time in `timeZone`, and an instant shown as
 * one. Gaps and overlaps of daylight saving follow core/sla/time-zone.ts (a skipped time moves
 * forward, a repeated one means its first occurrence).
 */
import { instantAt, utcOffsetMs } from '../../collector/core/sla/time-zone.js';

const INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** The instant a datetime-local value means in `timeZone`; undefined when empty or not such a value. */
export function zonedInputMs(value: string | undefined, timeZone: string): number | undefined {
  const m = value ? INPUT.exec(value) : null;
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return instantAt(timeZone, { year, month, day }, hour * 60 + minute) + second * 1000;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The datetime-local value showing `ms` on the wall clock of `timeZone` (seconds only when not zero). */
export function zonedInputValue(ms: number, timeZone: string): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + utcOffsetMs(timeZone, ms));
  const s = d.getUTCSeconds();
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${s ? `:${pad(s)}` : ''}`;
}
