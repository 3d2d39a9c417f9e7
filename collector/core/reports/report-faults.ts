/**
 * Fault figures of a service report, what R&D reads to find product defects: the top fault
 * codes, the "bad actor" devices, and faults per model and firmware version (per device in the
 * fleet where the fleet is known, and a code × firmware table per model so a regression in one
 * firmware stands out). Counted over device tickets opened in the period (site-wide parents and
 * manual tickets without a fault code are left out).
 */
import { naturalCompare, type FleetCount, type ReportTicket } from './report-input.js';

export const TOP_N = 10;
/** Codes per model in the code × firmware table. */
export const CODES_PER_MODEL = 20;

export interface TopFaultCode {
  code: string;
  tickets: number;
  /** Raises counted on those tickets (a ticket collects repeats of its fault). */
  occurrences: number;
  devices: number;
  models: string[];
}

export interface BadActor {
  site: string;
  device: string;
  model: string;
  firmware: string;
  tickets: number;
  occurrences: number;
  distinctCodes: number;
  topCode: string;
}

export interface ModelFirmwareRow {
  model: string;
  firmware: string;
  tickets: number;
  occurrences: number;
  devicesWithFaults: number;
  /** Devices of this model/firmware in the registry; null when unknown. */
  fleetDevices: number | null;
  /** tickets / fleetDevices, null without a fleet count. */
  ticketsPerDevice: number | null;
  topCodes: Array<{ code: string; tickets: number }>;
}

export interface CodeByFirmwareRow {
  model: string;
  code: string;
  total: number;
  /** firmware → tickets, every firmware of the model present (0 when none). */
  byFirmware: Record<string, number>;
}

export interface FaultFigures {
  topFaultCodes: TopFaultCode[];
  badActors: BadActor[];
  faultsByModelFirmware: ModelFirmwareRow[];
  faultCodesByFirmware: CodeByFirmwareRow[];
}

export function deviceFaults(tickets: readonly ReportTicket[]): ReportTicket[] {
  return tickets.filter((t) => !t.siteParent && t.code !== '');
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const sum = (ts: readonly ReportTicket[]): number => ts.reduce((s, t) => s + t.occurrences, 0);
const distinct = (values: readonly string[]): string[] => [...new Set(values)];

function topCodes(ts: readonly ReportTicket[], n: number): Array<{ code: string; tickets: number }> {
  return [...groupBy(ts, (t) => t.code)].map(([code, list]) => ({ code, tickets: list.length }))
    .sort((a, b) => b.tickets - a.tickets || a.code.localeCompare(b.code)).slice(0, n);
}

export function topFaultCodes(tickets: readonly ReportTicket[], n = TOP_N): TopFaultCode[] {
  return [...groupBy(deviceFaults(tickets), (t) => t.code)].map(([code, ts]) => ({
    code, tickets: ts.length, occurrences: sum(ts), devices: new Set(ts.map((t) => `${t.site}/${t.device}`)).size,
    models: distinct(ts.map((t) => t.model).filter((m) => m !== '')).sort(naturalCompare),
  })).sort((a, b) => b.tickets - a.tickets || b.occurrences - a.occurrences || a.code.localeCompare(b.code)).slice(0, n);
}

export function badActors(tickets: readonly ReportTicket[], n = TOP_N): BadActor[] {
  return [...groupBy(deviceFaults(tickets), (t) => `${t.site}\u0000${t.device}`)].map(([, ts]) => {
    const last = ts.reduce((a, b) => (b.openedAtMs > a.openedAtMs ? b : a));
    return {
      site: last.site, device: last.device, model: last.model, firmware: last.firmware, tickets: ts.length, occurrences: sum(ts),
      distinctCodes: new Set(ts.map((t) => t.code)).size, topCode: topCodes(ts, 1)[0]?.code ?? '',
    };
  }).sort((a, b) => b.tickets - a.tickets || b.occurrences - a.occurrences || a.site.localeCompare(b.site) || a.device.localeCompare(b.device)).slice(0, n);
}

const mfKey = (model: string, firmware: string): string => `${model}\u0000${firmware}`;

export function faultsByModelFirmware(tickets: readonly ReportTicket[], fleet: readonly FleetCount[] | null): ModelFirmwareRow[] {
  const fleetBy = new Map((fleet ?? []).map((f) => [mfKey(f.model, f.firmware), f.devices]));
  return [...groupBy(deviceFaults(tickets), (t) => mfKey(t.model, t.firmware))].map(([, ts]) => {
    const { model, firmware } = ts[0] as ReportTicket;
    const fleetDevices = fleet === null ? null : fleetBy.get(mfKey(model, firmware)) ?? 0;
    return {
      model, firmware, tickets: ts.length, occurrences: sum(ts), devicesWithFaults: new Set(ts.map((t) => `${t.site}/${t.device}`)).size,
      fleetDevices, ticketsPerDevice: fleetDevices ? Math.round((ts.length / fleetDevices) * 100) / 100 : null, topCodes: topCodes(ts, 3),
    };
  }).sort((a, b) => naturalCompare(a.model, b.model) || naturalCompare(a.firmware, b.firmware));
}

export function faultCodesByFirmware(tickets: readonly ReportTicket[], perModel = CODES_PER_MODEL): CodeByFirmwareRow[] {
  const rows: CodeByFirmwareRow[] = [];
  const byModel = [...groupBy(deviceFaults(tickets), (t) => t.model)].sort(([a], [b]) => naturalCompare(a, b));
  for (const [model, ts] of byModel) {
    const firmwares = distinct(ts.map((t) => t.firmware)).sort(naturalCompare);
    for (const { code } of topCodes(ts, perModel)) {
      const byFirmware = Object.fromEntries(firmwares.map((f) => [f, 0])) as Record<string, number>;
      let total = 0;
      for (const t of ts) {
        if (t.code !== code) continue;
        byFirmware[t.firmware] = (byFirmware[t.firmware] ?? 0) + 1;
        total++;
      }
      rows.push({ model, code, total, byFirmware });
    }
  }
  return rows;
}

export function faultFigures(tickets: readonly ReportTicket[], fleet: readonly FleetCount[] | null): FaultFigures {
  return {
    topFaultCodes: topFaultCodes(tickets), badActors: badActors(tickets),
    faultsByModelFirmware: faultsByModelFirmware(tickets, fleet), faultCodesByFirmware: faultCodesByFirmware(tickets),
  };
}
