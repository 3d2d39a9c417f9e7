/**
 * JSON schemas of GET /api/reports/summary (TypeBox). The report's TypeScript type lives in the
 * pure core (core/report-summary.ts); the compile-time check at the bottom keeps the two in step.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CATEGORIES } from '../../protocol/values.js';
import { REPORT_SECTIONS } from '../core/reports/report-csv.js';
import { REPORT_PERIODS } from '../core/reports/report-period.js';
import type { ServiceReport } from '../core/reports/report-summary.js';
import { PRIORITIES } from '../core/tickets/ticket.js';

const literals = <T extends string>(values: readonly T[], options: { default?: NoInfer<T> } = {}) => Type.Union(values.map((v) => Type.Literal(v)), options);
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const Ratio = Nullable(Type.Number());
const Available = <T extends TSchema>(s: T) => Type.Union([
  Type.Object({ available: Type.Literal(true), value: s }),
  Type.Object({ available: Type.Literal(false), reason: Type.String() }),
]);
const byKeys = <K extends string>(keys: readonly K[]) => Type.Object(Object.fromEntries(keys.map((k) => [k, Count])) as Record<K, typeof Count>);
const Filter = Type.String({ minLength: 1, maxLength: 100 });
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const ReportQuery = Type.Object({
  period: literals(REPORT_PERIODS, { default: 'week' }),
  from: Type.Optional(DateText),
  to: Type.Optional(DateText),
  tz: Type.String({ minLength: 1, maxLength: 64, default: 'UTC' }),
  site: Type.Optional(Filter),
  model: Type.Optional(Filter),
  firmware: Type.Optional(Filter),
  format: literals(['json', 'csv'] as const, { default: 'json' }),
  /** CSV only: one section as a wide table; without it the whole report in long form. */
  section: Type.Optional(literals(REPORT_SECTIONS)),
}, { additionalProperties: false });
export type ReportQuery = Static<typeof ReportQuery>;

const Duration = Type.Object({ n: Count, meanMs: Ratio, medianMs: Ratio, p90Ms: Ratio });
const SlaFigure = Type.Object({ met: Count, missed: Count, pending: Count, attainment: Ratio });

export const ServiceReportJson = Type.Object({
  period: Type.Object({
    kind: literals(['week', 'month', 'custom'] as const), from: Type.String(), to: Type.String(), fromMs: Type.Number(), toMs: Type.Number(), timeZone: Type.String(),
  }),
  filter: Type.Object({ site: Type.Optional(Type.String()), model: Type.Optional(Type.String()), firmware: Type.Optional(Type.String()) }),
  generatedAtMs: Type.Number(),
  basis: Type.String(),
  volume: Type.Object({
    total: Count,
    byCategory: byKeys(CATEGORIES),
    byPriority: byKeys(PRIORITIES),
    matrix: Type.Array(Type.Object({ category: literals(CATEGORIES), P1: Count, P2: Count, P3: Count, P4: Count, total: Count })),
  }),
  responsiveness: Type.Object({
    mtta: Available(Duration),
    mttr: Available(Duration),
    byPriority: Type.Array(Type.Object({ priority: literals(PRIORITIES), tickets: Count, mtta: Nullable(Duration), mttr: Nullable(Duration) })),
  }),
  sla: Available(Type.Array(Type.Object({ priority: literals(PRIORITIES), response: SlaFigure, resolution: SlaFigure }))),
  quality: Available(Type.Object({ resolved: Count, firstTimeFix: Count, firstTimeFixRate: Ratio, reopened: Count, reopenRate: Ratio })),
  satisfaction: Available(Type.Object({ rated: Count, average: Ratio, distribution: byKeys(['1', '2', '3', '4', '5'] as const), csat: Ratio })),
  faults: Type.Object({
    topFaultCodes: Type.Array(Type.Object({ code: Type.String(), tickets: Count, occurrences: Count, devices: Count, models: Type.Array(Type.String()) })),
    badActors: Type.Array(Type.Object({
      site: Type.String(), device: Type.String(), model: Type.String(), firmware: Type.String(), tickets: Count, occurrences: Count,
      distinctCodes: Count, topCode: Type.String(),
    })),
    faultsByModelFirmware: Type.Array(Type.Object({
      model: Type.String(), firmware: Type.String(), tickets: Count, occurrences: Count, devicesWithFaults: Count, fleetDevices: Nullable(Count),
      ticketsPerDevice: Ratio, topCodes: Type.Array(Type.Object({ code: Type.String(), tickets: Count })),
    })),
    faultCodesByFirmware: Type.Array(Type.Object({ model: Type.String(), code: Type.String(), total: Count, byFirmware: Type.Record(Type.String(), Count) })),
  }),
  alarms: Available(Type.Object({
    intervalMs: Type.Number(),
    floodLimitPer10Min: Type.Number(),
    totals: Type.Object({ alarms: Count, operators: Count, avgPer10MinPerOperator: Type.Number(), timeInFloodMs: Type.Number(), floodEpisodes: Count }),
    perSite: Type.Array(Type.Object({
      site: Type.String(), operators: Count, alarms: Count, avgPer10MinPerOperator: Type.Number(), peak10MinPerOperator: Type.Number(),
      peakIntervalStartMs: Nullable(Type.Number()), intervals: Count, intervalsOverLimit: Count, shareOverLimit: Type.Number(),
      timeInFloodMs: Type.Number(), floodEpisodes: Count,
    })),
    perOperator: Type.Array(Type.Object({ operator: Type.String(), acknowledged: Count, avgPer10Min: Type.Number() })),
  })),
});
export type ServiceReportJson = Static<typeof ServiceReportJson>;

/** Compile-time only: a ServiceReport must serialise through ServiceReportJson without losing a field's type. */
export const reportAsJson = (r: ServiceReport): ServiceReportJson => r;
