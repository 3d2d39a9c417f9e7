/**
 * Report periods: a calendar week (Monday to Monday) or month in a time zone, or a custom
 * [from, to) range of whole days. Without `from` the period containing `nowMs`; with `from` the
 * week or month containing that date; with `to` as well, exactly from..to (to exclusive).
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import { addDays, civilDateAt, formatCivilDate, instantAt, parseCivilDate, weekdayOf, type CivilDate } from '../sla/time-zone.js';

export const REPORT_PERIODS = ['week', 'month'] as const;
export type ReportPeriodKind = (typeof REPORT_PERIODS)[number];

/** A custom range may span at most this many days (reports read every ticket in range). */
export const MAX_RANGE_DAYS = 366;

export interface ReportPeriod {
  kind: ReportPeriodKind | 'custom';
  /** First day, and the day after the last (YYYY-MM-DD, local to timeZone). */
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
  timeZone: string;
}

export interface PeriodRequest {
  period: ReportPeriodKind;
  from?: string | undefined;
  to?: string | undefined;
  timeZone: string;
}

function startOf(kind: ReportPeriodKind, d: CivilDate): CivilDate {
  if (kind === 'month') return { ...d, day: 1 };
  return addDays(d, -((weekdayOf(d) + 6) % 7)); // back to Monday
}

function endOf(kind: ReportPeriodKind, start: CivilDate): CivilDate {
  if (kind === 'week') return addDays(start, 7);
  return start.month === 12 ? { year: start.year + 1, month: 1, day: 1 } : { year: start.year, month: start.month + 1, day: 1 };
}

export function reportPeriod(req: PeriodRequest, nowMs: number): ReportPeriod {
  const anchor = req.from === undefined ? civilDateAt(req.timeZone, nowMs) : parseCivilDate(req.from);
  let from: CivilDate;
  let to: CivilDate;
  let kind: ReportPeriod['kind'];
  if (req.to !== undefined) {
    if (req.from === undefined) throw deskError(DESK_ERROR_CODES.timeFormat, '`to` needs `from`', { to: req.to }, 'give both from and to, or only from');
    from = anchor;
    to = parseCivilDate(req.to);
    kind = 'custom';
  } else {
    from = startOf(req.period, anchor);
    to = endOf(req.period, from);
    kind = req.period;
  }
  const fromMs = instantAt(req.timeZone, from, 0);
  const toMs = instantAt(req.timeZone, to, 0);
  if (!(toMs > fromMs) || toMs - fromMs > MAX_RANGE_DAYS * 86_400_000 + 3_600_000) {
    throw deskError(DESK_ERROR_CODES.timeFormat, `report range ${formatCivilDate(from)}..${formatCivilDate(to)} is empty or longer than ${MAX_RANGE_DAYS} days`,
      { from: formatCivilDate(from), to: formatCivilDate(to) }, `give to after from, at most ${MAX_RANGE_DAYS} days later`);
  }
  return { kind, from: formatCivilDate(from), to: formatCivilDate(to), fromMs, toMs, timeZone: req.timeZone };
}
