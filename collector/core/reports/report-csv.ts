/**
 * A service report as CSV (RFC 4180, CRLF line ends). One section as a wide table (what a
 * spreadsheet user wants: e.g. faults per model and firmware), or the whole report in long form
 * (section, key, metric, value) for pivoting. Durations are in minutes, rates are 0–1. Text cells
 * that a spreadsheet would run as a formula (= + - @ first) are prefixed with an apostrophe.
 */
import type { Available } from './report-input.js';
import type { ServiceReport } from './report-summary.js';
import type { DurationStats } from './report-tickets.js';
import { PRIORITIES } from '../tickets/ticket.js';

export const REPORT_SECTIONS = [
  'volume', 'responsiveness', 'sla', 'quality', 'satisfaction', 'top-fault-codes', 'bad-actors', 'faults-by-model-firmware',
  'fault-codes-by-firmware', 'alarms-per-site', 'alarms-per-operator',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

type Cell = string | number | null;
export interface Table {
  header: string[];
  /** How many leading columns identify a row (the long form's key). */
  keyColumns: number;
  rows: Cell[][];
}

const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 600) / 100);
const rate = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 10_000);

function stats(prefix: string, s: DurationStats | null): Record<string, Cell> {
  return { [`${prefix}_n`]: s?.n ?? null, [`${prefix}_mean_min`]: minutes(s?.meanMs ?? null), [`${prefix}_median_min`]: minutes(s?.medianMs ?? null), [`${prefix}_p90_min`]: minutes(s?.p90Ms ?? null) };
}

function fromRecords(keyColumns: number, records: Array<Record<string, Cell>>, header?: string[]): Table {
  const cols = header ?? Object.keys(records[0] ?? {});
  return { header: cols, keyColumns, rows: records.map((r) => cols.map((c) => r[c] ?? null)) };
}

function unavailableTable(reason: string): Table {
  return { header: ['unavailable'], keyColumns: 0, rows: [[reason]] };
}

function whenAvailable<T>(a: Available<T>, f: (v: T) => Table): Table {
  return a.available ? f(a.value) : unavailableTable(a.reason);
}

export function sectionTable(r: ServiceReport, section: ReportSection): Table {
  switch (section) {
    case 'volume':
      return fromRecords(1, r.volume.matrix.map((m) => ({ category: m.category, P1: m.P1, P2: m.P2, P3: m.P3, P4: m.P4, total: m.total })),
        ['category', ...PRIORITIES, 'total']);
    case 'responsiveness':
      return fromRecords(1, r.responsiveness.byPriority.map((p) => ({ priority: p.priority, tickets: p.tickets, ...stats('mtta', p.mtta), ...stats('mttr', p.mttr) })));
    case 'sla':
      return whenAvailable(r.sla, (rows) => fromRecords(1, rows.map((p) => ({
        priority: p.priority, response_met: p.response.met, response_missed: p.response.missed, response_pending: p.response.pending,
        response_attainment: rate(p.response.attainment), resolution_met: p.resolution.met, resolution_missed: p.resolution.missed,
        resolution_pending: p.resolution.pending, resolution_attainment: rate(p.resolution.attainment),
      }))));
    case 'quality':
      return whenAvailable(r.quality, (q) => fromRecords(0, [{
        resolved: q.resolved, first_time_fix: q.firstTimeFix, first_time_fix_rate: rate(q.firstTimeFixRate), reopened: q.reopened, reopen_rate: rate(q.reopenRate),
      }]));
    case 'satisfaction':
      return whenAvailable(r.satisfaction, (s) => fromRecords(0, [{
        rated: s.rated, average: s.average, csat: rate(s.csat), rated_1: s.distribution[1], rated_2: s.distribution[2], rated_3: s.distribution[3],
        rated_4: s.distribution[4], rated_5: s.distribution[5],
      }]));
    case 'top-fault-codes':
      return fromRecords(2, r.faults.topFaultCodes.map((c, i) => ({ rank: i + 1, code: c.code, tickets: c.tickets, occurrences: c.occurrences, devices: c.devices, models: c.models.join(' ') })),
        ['rank', 'code', 'tickets', 'occurrences', 'devices', 'models']);
    case 'bad-actors':
      return fromRecords(3, r.faults.badActors.map((d, i) => ({
        rank: i + 1, site: d.site, device: d.device, model: d.model, firmware: d.firmware, tickets: d.tickets, occurrences: d.occurrences,
        distinct_codes: d.distinctCodes, top_code: d.topCode,
      })), ['rank', 'site', 'device', 'model', 'firmware', 'tickets', 'occurrences', 'distinct_codes', 'top_code']);
    case 'faults-by-model-firmware':
      return fromRecords(2, r.faults.faultsByModelFirmware.map((m) => ({
        model: m.model, firmware: m.firmware, tickets: m.tickets, occurrences: m.occurrences, devices_with_faults: m.devicesWithFaults,
        fleet_devices: m.fleetDevices, tickets_per_device: m.ticketsPerDevice, top_codes: m.topCodes.map((c) => `${c.code} (${c.tickets})`).join('; '),
      })), ['model', 'firmware', 'tickets', 'occurrences', 'devices_with_faults', 'fleet_devices', 'tickets_per_device', 'top_codes']);
    case 'fault-codes-by-firmware': {
      const firmwares = [...new Set(r.faults.faultCodesByFirmware.flatMap((row) => Object.keys(row.byFirmware)))]
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      return {
        header: ['model', 'code', 'total', ...firmwares.map((f) => `firmware ${f}`)], keyColumns: 2,
        rows: r.faults.faultCodesByFirmware.map((row) => [row.model, row.code, row.total, ...firmwares.map((f) => row.byFirmware[f] ?? null)]),
      };
    }
    case 'alarms-per-site':
      return whenAvailable(r.alarms, (a) => fromRecords(1, a.perSite.map((s) => ({
        site: s.site, operators: s.operators, alarms: s.alarms, avg_per_10min_per_operator: s.avgPer10MinPerOperator,
        peak_10min_per_operator: s.peak10MinPerOperator, intervals: s.intervals, intervals_over_limit: s.intervalsOverLimit,
        share_over_limit: s.shareOverLimit, time_in_flood_min: minutes(s.timeInFloodMs), flood_episodes: s.floodEpisodes,
      })), ['site', 'operators', 'alarms', 'avg_per_10min_per_operator', 'peak_10min_per_operator', 'intervals', 'intervals_over_limit',
        'share_over_limit', 'time_in_flood_min', 'flood_episodes']));
    case 'alarms-per-operator':
      return whenAvailable(r.alarms, (a) => fromRecords(1, a.perOperator.map((o) => ({ operator: o.operator, acknowledged: o.acknowledged, avg_per_10min: o.avgPer10Min })),
        ['operator', 'acknowledged', 'avg_per_10min']));
  }
}

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const line = (cells: Cell[]): string => cells.map(cell).join(',');

export function tableCsv(t: Table): string {
  return [line(t.header), ...t.rows.map(line)].map((l) => `${l}\r\n`).join('');
}

export function sectionCsv(r: ServiceReport, section: ReportSection): string {
  return tableCsv(sectionTable(r, section));
}

/** The whole report, one figure per line: section, key (the row's identifying cells joined by " / "), metric, value. */
export function reportCsvLong(r: ServiceReport): string {
  const rows: Cell[][] = [
    ['report', '', 'from', r.period.from], ['report', '', 'to', r.period.to], ['report', '', 'time_zone', r.period.timeZone],
    ['report', '', 'site', r.filter.site ?? ''], ['report', '', 'model', r.filter.model ?? ''], ['report', '', 'firmware', r.filter.firmware ?? ''],
    ['report', '', 'tickets', r.volume.total],
  ];
  for (const section of REPORT_SECTIONS) {
    const t = sectionTable(r, section);
    for (const row of t.rows) {
      const key = row.slice(0, t.keyColumns).map((c) => (c === null ? '' : String(c))).join(' / ');
      t.header.forEach((metric, i) => { if (i >= t.keyColumns) rows.push([section, key, metric, row[i] ?? null]); });
    }
  }
  return tableCsv({ header: ['section', 'key', 'metric', 'value'], keyColumns: 0, rows });
}
