/**
 * Device presence as pure transitions. A birth brings a device online and records what it is;
 * a death takes it offline only when it belongs to the current session (or carries none), so a
 * stale last will from an old connection cannot mark a reconnected device offline. Every
 * message refreshes last_seen (collector time: device clocks drift, and a last will has none).
 */
import type { AgentStatus, DeviceBirth, DeviceDeath } from '../../../protocol/values.js';
import { withStaleAges, type KnownParameter } from './value-staleness.js';

export interface DeviceState {
  device: string;
  site: string;
  online: boolean;
  model: string;
  firmware: string;
  adapterId: string;
  agentVersion: string;
  parameters: KnownParameter[];
  sessionId: string;
  lastSeenMs: number;
  lastBirthMs: number | null;
  lastDeathMs: number | null;
  lastDeathReason: string;
  lastStatus: AgentStatus | null;
}

export interface DeviceKey {
  site: string;
  device: string;
}

/** A device first heard from without a birth: it is publishing, so it is connected. */
function unknownDevice(key: DeviceKey, nowMs: number): DeviceState {
  return {
    device: key.device, site: key.site, online: true, model: '', firmware: '', adapterId: '', agentVersion: '',
    parameters: [], sessionId: '', lastSeenMs: nowMs, lastBirthMs: null, lastDeathMs: null, lastDeathReason: '', lastStatus: null,
  };
}

export function applyBirth(prev: DeviceState | undefined, birth: DeviceBirth, nowMs: number): DeviceState {
  const base = prev ?? unknownDevice(birth, nowMs);
  return {
    ...base, online: true, model: birth.model, firmware: birth.firmware, adapterId: birth.adapterId,
    agentVersion: birth.agentVersion, parameters: withStaleAges(birth), sessionId: birth.sessionId,
    lastSeenMs: nowMs, lastBirthMs: nowMs,
  };
}

export interface DeathOutcome {
  state: DeviceState;
  /** false when the death was ignored because it came from another (older) session. */
  applied: boolean;
}

export function applyDeath(prev: DeviceState | undefined, death: DeviceDeath, nowMs: number): DeathOutcome {
  const base = prev ?? { ...unknownDevice(death, nowMs), online: false };
  const current = death.sessionId === '' || base.sessionId === '' || death.sessionId === base.sessionId;
  if (!current) return { state: { ...base, lastSeenMs: nowMs }, applied: false };
  return { state: { ...base, online: false, lastSeenMs: nowMs, lastDeathMs: nowMs, lastDeathReason: death.reason }, applied: true };
}

/** Any other message (event, telemetry) from the device. */
export function applySeen(prev: DeviceState | undefined, key: DeviceKey, nowMs: number): DeviceState {
  return prev ? { ...prev, lastSeenMs: nowMs } : unknownDevice(key, nowMs);
}

export function applyStatus(prev: DeviceState | undefined, status: AgentStatus, nowMs: number): DeviceState {
  return { ...applySeen(prev, status, nowMs), lastStatus: status };
}
