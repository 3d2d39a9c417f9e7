/** Device JSON for the API (pure): one device in detail, live values with their units, a describe answer. */
import type { DeviceBirth, ParameterInfo, Sample } from '../../protocol/values.js';
import { alarmState, type Alarm } from '../core/alarms/alarm-state.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import { aged, staleAges, type KnownParameter } from '../core/devices/value-staleness.js';
import type { CatalogueEntryJson, DescribeJson, DeviceDetailJson, LiveValueJson } from './device-schemas.js';

export function catalogueOf(parameters: readonly ParameterInfo[]): CatalogueEntryJson[] {
  return parameters.map((p) => ({
    name: p.name, unit: p.unit, description: p.description, writable: p.writable, source: p.source,
    ...(p.writeRange ? { min: p.writeRange.min, max: p.writeRange.max } : {}),
  }));
}

/** Alarms of a device that are not back to normal. */
export function openAlarmCount(alarms: readonly Alarm[]): number {
  return alarms.filter((a) => alarmState(a) !== 'normal').length;
}

export interface DeviceFacts {
  /** The broker's view; undefined when it cannot tell (then the registry's is used). */
  connected: boolean | undefined;
  openAlarms: number;
  writeKey: boolean;
}

export function deviceDetail(d: DeviceState, facts: DeviceFacts): DeviceDetailJson {
  return {
    ...d,
    online: facts.connected ?? d.online,
    registryOnline: d.online,
    birth: d.lastBirthMs === null ? null : {
      adapterId: d.adapterId, model: d.model, firmware: d.firmware, agentVersion: d.agentVersion, sessionId: d.sessionId, atMs: d.lastBirthMs,
    },
    catalogue: catalogueOf(d.parameters),
    status: d.lastStatus,
    openAlarms: facts.openAlarms,
    writeKey: facts.writeKey,
  };
}

/**
 * Values with their units. With `nowMs` (last-known values, not a fresh read), a value older than its
 * parameter's stale age is given as stale (value-staleness.ts).
 */
export function liveValues(samples: readonly Sample[], catalogue: readonly KnownParameter[], nowMs?: number): LiveValueJson[] {
  const units = new Map(catalogue.map((p) => [p.name, p.unit]));
  const ages = nowMs === undefined ? {} : staleAges(catalogue);
  return samples.map((sample) => nowMs === undefined ? sample : aged(sample, ages[sample.parameter], nowMs)).map((s) => ({
    name: s.parameter, value: s.value, ...(s.text !== undefined ? { text: s.text } : {}),
    unit: units.get(s.parameter) ?? '', quality: s.quality, ...(s.reason ? { reason: s.reason } : {}), timeMs: s.timeMs,
  }));
}

export function describeView(b: DeviceBirth, at: { requestedAtMs: number; answeredAtMs: number }): DescribeJson {
  return {
    device: b.device, site: b.site, adapterId: b.adapterId, model: b.model, firmware: b.firmware, agentVersion: b.agentVersion,
    sessionId: b.sessionId, catalogue: catalogueOf(b.parameters), ...at,
  };
}
