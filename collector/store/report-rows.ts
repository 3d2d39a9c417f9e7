/**
 * Reading the columns a service report needs out of a database row, defensively (a value of the
 * wrong type reads as missing, never as a wrong figure). Shared by the SQLite and PostgreSQL
 * adapters: no SQL here.
 */
import { slaOutcome, type SlaOutcome } from '../core/reports/report-input.js';
import type { SlaClock } from '../core/sla/sla-clock.js';

export type ReportRow = Record<string, string | number | null>;
type Cell = string | number | null | undefined;

export function parseJson<T>(v: Cell): T | null {
  if (typeof v !== 'string') return null;
  try {
    return JSON.parse(v) as T;
  } catch {
    return null;
  }
}

export const num = (v: Cell): number | null => (typeof v === 'number' ? v : null);
export const str = (v: Cell): string => (typeof v === 'string' ? v : '');

export function clockOutcome(clock: Partial<SlaClock> | undefined): SlaOutcome | null {
  if (!clock || typeof clock !== 'object') return null;
  return slaOutcome({ stoppedMs: clock.stoppedMs ?? null, breachedAtMs: clock.breachedAtMs ?? null });
}

/** A satisfaction score 1–5, else missing. */
export function score(v: Cell): number | null {
  const s = parseJson<{ score?: unknown }>(v)?.score;
  return typeof s === 'number' && s >= 1 && s <= 5 ? s : null;
}
