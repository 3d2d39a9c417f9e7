/**
 * Ticket figures of a service report, over tickets opened in the period (a cohort: their later
 * acknowledgement, resolution and rating count, whenever they happened). Durations are wall-clock
 * ms from opening; SLA attainment uses the SLA clocks (business calendars included).
 */
import { CATEGORIES, type Category } from '../../../protocol/values.js';
import { available, unavailable, type Available, type ReportTicket, type SlaOutcome, type TicketFields } from './report-input.js';
import { PRIORITIES, type Priority } from '../tickets/ticket.js';

export interface Volume {
  total: number;
  byCategory: Record<Category, number>;
  byPriority: Record<Priority, number>;
  /** One row per category: its tickets per priority. */
  matrix: Array<{ category: Category } & Record<Priority, number> & { total: number }>;
}

export interface DurationStats {
  /** Tickets measured. */
  n: number;
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface Responsiveness {
  mtta: Available<DurationStats>;
  mttr: Available<DurationStats>;
  byPriority: Array<{ priority: Priority; tickets: number; mtta: DurationStats | null; mttr: DurationStats | null }>;
}

export interface SlaFigure {
  met: number;
  missed: number;
  pending: number;
  /** met / (met + missed); null when nothing has an outcome yet. */
  attainment: number | null;
}

export type SlaAttainment = Array<{ priority: Priority; response: SlaFigure; resolution: SlaFigure }>;

export interface FixQuality {
  /** Tickets resolved at least once. */
  resolved: number;
  /** Resolved, never reopened, never escalated. */
  firstTimeFix: number;
  firstTimeFixRate: number | null;
  reopened: number;
  reopenRate: number | null;
}

export interface Satisfaction {
  rated: number;
  average: number | null;
  /** Ratings 1–5: how many of each. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  /** Share of ratings 4 or 5. */
  csat: number | null;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const zeroBy = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function volume(tickets: readonly ReportTicket[]): Volume {
  const byCategory = zeroBy(CATEGORIES);
  const byPriority = zeroBy(PRIORITIES);
  const cells = new Map<Category, Record<Priority, number>>();
  for (const t of tickets) {
    byCategory[t.category]++;
    byPriority[t.priority]++;
    const row = cells.get(t.category) ?? zeroBy(PRIORITIES);
    row[t.priority]++;
    cells.set(t.category, row);
  }
  const matrix = CATEGORIES.filter((c) => cells.has(c)).map((category) => {
    const row = cells.get(category) ?? zeroBy(PRIORITIES);
    return { category, ...row, total: PRIORITIES.reduce((s, p) => s + row[p], 0) };
  });
  return { total: tickets.length, byCategory, byPriority, matrix };
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

export function durationStats(durations: readonly number[]): DurationStats {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    n: sorted.length,
    meanMs: sorted.length === 0 ? null : Math.round(sorted.reduce((s, d) => s + d, 0) / sorted.length),
    medianMs: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
  };
}

const ackDurations = (ts: readonly ReportTicket[]): number[] =>
  ts.flatMap((t) => (t.acknowledgedAtMs === null ? [] : [Math.max(0, t.acknowledgedAtMs - t.openedAtMs)]));
const resolveDurations = (ts: readonly ReportTicket[]): number[] =>
  ts.flatMap((t) => (t.resolvedAtMs === null ? [] : [Math.max(0, t.resolvedAtMs - t.openedAtMs)]));

export function responsiveness(tickets: readonly ReportTicket[], fields: TicketFields): Responsiveness {
  const missing = (what: string) => `the store does not record ${what} times yet`;
  return {
    mtta: fields.acknowledged ? available(durationStats(ackDurations(tickets))) : unavailable(missing('acknowledgement')),
    mttr: fields.resolved ? available(durationStats(resolveDurations(tickets))) : unavailable(missing('resolution')),
    byPriority: PRIORITIES.map((priority) => {
      const ts = tickets.filter((t) => t.priority === priority);
      return {
        priority, tickets: ts.length,
        mtta: fields.acknowledged ? durationStats(ackDurations(ts)) : null,
        mttr: fields.resolved ? durationStats(resolveDurations(ts)) : null,
      };
    }),
  };
}

function slaFigure(outcomes: ReadonlyArray<SlaOutcome | null>): SlaFigure {
  const f = { met: 0, missed: 0, pending: 0 };
  for (const o of outcomes) if (o !== null) f[o]++;
  return { ...f, attainment: ratio(f.met, f.met + f.missed) };
}

export function slaAttainment(tickets: readonly ReportTicket[], fields: TicketFields): Available<SlaAttainment> {
  if (!fields.sla) return unavailable('the store does not record SLA clocks yet');
  return available(PRIORITIES.map((priority) => {
    const ts = tickets.filter((t) => t.priority === priority);
    return { priority, response: slaFigure(ts.map((t) => t.responseSla)), resolution: slaFigure(ts.map((t) => t.resolutionSla)) };
  }));
}

export function fixQuality(tickets: readonly ReportTicket[], fields: TicketFields): Available<FixQuality> {
  if (!fields.resolved || !fields.reopen) return unavailable('the store does not record resolutions and reopen counts yet');
  const resolvedEver = tickets.filter((t) => t.resolvedAtMs !== null || t.reopenCount > 0);
  const reopened = resolvedEver.filter((t) => t.reopenCount > 0).length;
  const firstTimeFix = resolvedEver.filter((t) => t.resolvedAtMs !== null && t.reopenCount === 0 && t.escalations === 0).length;
  return available({
    resolved: resolvedEver.length, firstTimeFix, firstTimeFixRate: ratio(firstTimeFix, resolvedEver.length),
    reopened, reopenRate: ratio(reopened, resolvedEver.length),
  });
}

export function satisfaction(tickets: readonly ReportTicket[], fields: TicketFields): Available<Satisfaction> {
  if (!fields.satisfaction) return unavailable('the store does not record satisfaction ratings yet');
  const scores = tickets.flatMap((t) => (t.satisfaction === null ? [] : [t.satisfaction]));
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<'1' | '2' | '3' | '4' | '5', number>;
  for (const s of scores) {
    const k = String(Math.min(5, Math.max(1, Math.round(s)))) as keyof typeof distribution;
    distribution[k]++;
  }
  return available({
    rated: scores.length,
    average: scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100,
    distribution,
    csat: ratio(distribution[4] + distribution[5], scores.length),
  });
}
