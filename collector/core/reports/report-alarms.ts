/**
 * Alarm-load figures of a service report (ISA-18.2 style): alarms annunciated per operator per 10
 * minutes for each site (a site's operator positions are configured, default one), the busiest
 * 10-minute interval, how many intervals went over the flood limit (more than 10 per operator),
 * time in flood from the flood episodes, and acknowledgements per operator.
 */
import { timeInFloodMs } from '../alarms/alarm-flood.js';
import type { ReportAcknowledgement, ReportAnnunciation, ReportFloodEpisode } from './report-input.js';

export const INTERVAL_MS = 10 * 60_000;
/** More than this many alarms per operator in 10 minutes is a flood. */
export const FLOOD_LIMIT_PER_10_MIN = 10;

export interface SiteAlarmLoad {
  site: string;
  operators: number;
  alarms: number;
  avgPer10MinPerOperator: number;
  /** Most alarms in one 10-minute interval (per operator), and when that interval started. */
  peak10MinPerOperator: number;
  peakIntervalStartMs: number | null;
  intervals: number;
  intervalsOverLimit: number;
  shareOverLimit: number;
  timeInFloodMs: number;
  floodEpisodes: number;
}

export interface OperatorLoad {
  operator: string;
  acknowledged: number;
  avgPer10Min: number;
}

export interface AlarmFigures {
  intervalMs: number;
  floodLimitPer10Min: number;
  totals: { alarms: number; operators: number; avgPer10MinPerOperator: number; timeInFloodMs: number; floodEpisodes: number };
  perSite: SiteAlarmLoad[];
  perOperator: OperatorLoad[];
}

export interface AlarmWindow {
  fromMs: number;
  /** End of what has happened: the period end, or now when the period is still running. */
  untilMs: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function siteLoad(site: string, times: readonly number[], floods: readonly ReportFloodEpisode[], operators: number, w: AlarmWindow): SiteAlarmLoad {
  const intervals = Math.max(1, Math.ceil((w.untilMs - w.fromMs) / INTERVAL_MS));
  const buckets = new Map<number, number>();
  for (const at of times) {
    const b = Math.floor((at - w.fromMs) / INTERVAL_MS);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  let peak = 0;
  let peakBucket: number | null = null;
  for (const [b, n] of [...buckets].sort(([a], [c]) => a - c)) if (n > peak) { peak = n; peakBucket = b; }
  const over = [...buckets.values()].filter((n) => n / operators > FLOOD_LIMIT_PER_10_MIN).length;
  const episodes = floods.filter((e) => e.startMs < w.untilMs && (e.endMs ?? Number.POSITIVE_INFINITY) > w.fromMs);
  return {
    site, operators, alarms: times.length, avgPer10MinPerOperator: round2(times.length / operators / intervals),
    peak10MinPerOperator: round2(peak / operators), peakIntervalStartMs: peakBucket === null ? null : w.fromMs + peakBucket * INTERVAL_MS,
    intervals, intervalsOverLimit: over, shareOverLimit: round2(over / intervals),
    timeInFloodMs: timeInFloodMs(episodes.map((e) => ({ ...e })), w.fromMs, w.untilMs), floodEpisodes: episodes.length,
  };
}

export function alarmFigures(
  annunciations: readonly ReportAnnunciation[], acknowledgements: readonly ReportAcknowledgement[], floods: readonly ReportFloodEpisode[],
  w: AlarmWindow, operatorsBySite: Readonly<Record<string, number>> = {},
): AlarmFigures {
  const inWindow = <T extends { atMs: number }>(xs: readonly T[]): T[] => xs.filter((x) => x.atMs >= w.fromMs && x.atMs < w.untilMs);
  const shown = inWindow(annunciations);
  const sites = [...new Set([...shown.map((a) => a.site), ...floods.map((f) => f.site)])].sort();
  const perSite = sites.map((site) => siteLoad(
    site, shown.filter((a) => a.site === site).map((a) => a.atMs), floods.filter((f) => f.site === site),
    Math.max(1, operatorsBySite[site] ?? 1), w,
  ));
  const intervals = Math.max(1, Math.ceil((w.untilMs - w.fromMs) / INTERVAL_MS));
  const acks = new Map<string, number>();
  for (const a of inWindow(acknowledgements)) acks.set(a.operator, (acks.get(a.operator) ?? 0) + 1);
  const operators = perSite.reduce((s, r) => s + r.operators, 0);
  return {
    intervalMs: INTERVAL_MS, floodLimitPer10Min: FLOOD_LIMIT_PER_10_MIN,
    totals: {
      alarms: shown.length, operators, avgPer10MinPerOperator: operators === 0 ? 0 : round2(shown.length / operators / intervals),
      timeInFloodMs: perSite.reduce((s, r) => s + r.timeInFloodMs, 0), floodEpisodes: perSite.reduce((s, r) => s + r.floodEpisodes, 0),
    },
    perSite,
    perOperator: [...acks].map(([operator, n]) => ({ operator, acknowledged: n, avgPer10Min: round2(n / intervals) }))
      .sort((a, b) => b.acknowledged - a.acknowledged || a.operator.localeCompare(b.operator)),
  };
}
