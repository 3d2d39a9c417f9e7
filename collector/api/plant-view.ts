/** The plant overview's device rows and trend series (pure): registry, last-known values and open alarms joined per device. */
import type { ParameterInfo } from '../../protocol/values.js';
import { alarmState } from '../core/alarms/alarm-state.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { LatestSample, StoredAlarm, TelemetryBucket } from '../store/port.js';
import type { Priority } from '../core/tickets/ticket.js';
import { liveValues } from './device-view.js';
import { staleAges } from '../core/devices/value-staleness.js';
import type { AuditRecord } from '../core/desk/audit-record.js';
import type { MarksJson, PlantAlarmJson, PlantDeviceJson, TrendJson } from './plant-schemas.js';

/** Readings shown on an overview row at most. */
export const KEY_PARAMETERS = 3;

/** A device's main readings: its first measured (read-only, device-side) parameters with a unit, else its first ones. */
export function keyParameters(catalogue: readonly ParameterInfo[]): string[] {
  const measured = catalogue.filter((p) => p.source === 'modbus' && !p.writable && p.unit !== '');
  return (measured.length > 0 ? measured : catalogue).slice(0, KEY_PARAMETERS).map((p) => p.name);
}

const deviceKey = (site: string, device: string): string => `${site}/${device}`;

export function plantDevices(
  devices: readonly DeviceState[], latest: readonly LatestSample[], alarms: readonly StoredAlarm[],
  priorityOf: (a: StoredAlarm) => Priority | null, nowMs: number,
): PlantDeviceJson[] {
  const valuesBy = new Map<string, LatestSample[]>();
  for (const s of latest) {
    const k = deviceKey(s.site, s.device);
    const list = valuesBy.get(k);
    if (list) list.push(s); else valuesBy.set(k, [s]);
  }
  const alarmsBy = new Map<string, PlantAlarmJson[]>();
  for (const s of alarms) {
    const state = alarmState(s.alarm);
    if (state === 'normal') continue;
    const k = deviceKey(s.alarm.key.site, s.alarm.key.device);
    const json: PlantAlarmJson = { id: s.id, code: s.alarm.key.code, state, severity: s.alarm.severity, priority: priorityOf(s), message: s.alarm.message };
    const list = alarmsBy.get(k);
    if (list) list.push(json); else alarmsBy.set(k, [json]);
  }
  return devices.map((d) => {
    const k = deviceKey(d.site, d.device);
    return {
      site: d.site, device: d.device, model: d.model, adapterId: d.adapterId, online: d.online, lastSeenMs: d.lastSeenMs,
      keys: keyParameters(d.parameters), units: Object.fromEntries(d.parameters.map((p) => [p.name, p.unit])),
      values: liveValues(valuesBy.get(k) ?? [], d.parameters, nowMs), staleAfterMs: staleAges(d.parameters), alarms: alarmsBy.get(k) ?? [],
      unsupported: (d.lastStatus?.unsupported ?? []).map((u) => u.parameter),
    };
  });
}

/** Bucket size for a window drawn with at most `points` buckets: a whole number of seconds. */
export function bucketFor(fromMs: number, toMs: number, points: number): number {
  return Math.max(1000, Math.ceil((toMs - fromMs) / points / 1000) * 1000);
}

export function trendSeries(buckets: readonly TelemetryBucket[], catalogue: readonly ParameterInfo[], bucketMs: number): TrendJson {
  const units = new Map(catalogue.map((p) => [p.name, p.unit]));
  const series = new Map<string, TrendJson['series'][number]>();
  for (const b of buckets) {
    let s = series.get(b.parameter);
    if (!s) { s = { name: b.parameter, unit: units.get(b.parameter) ?? '', points: [] }; series.set(b.parameter, s); }
    s.points.push({ timeMs: b.timeMs, avg: b.avg, min: b.min, max: b.max, ...(b.gaps > 0 ? { gaps: b.gaps } : {}), ...(b.reason ? { reason: b.reason } : {}) });
  }
  return { bucketMs, series: [...series.values()] };
}

/** Trend marks from audit records: alarm raises, clears and acknowledgements, applied device writes, in time order. */
export function trendMarks(records: readonly AuditRecord[], fromMs: number, toMs: number): MarksJson['marks'] {
  const marks: MarksJson['marks'] = [];
  for (const r of records) {
    if (r.atMs < fromMs || r.atMs > toMs) continue;
    if (r.subject.kind === 'alarm' && (r.action === 'raise' || r.action === 'clear' || r.action === 'acknowledge')) {
      marks.push({ atMs: r.atMs, kind: r.action, what: r.subject.id.split('/').slice(2).join('/'), by: r.actor.id });
    } else if (r.subject.kind === 'device' && r.action === 'write' && r.details.outcome !== 'failed' && r.details.outcome !== 'not-applied') {
      marks.push({ atMs: r.atMs, kind: 'write', what: String(r.details.values ?? ''), by: r.actor.id });
    }
  }
  return marks.sort((a, b) => a.atMs - b.atMs);
}
