/**
 * Stale last-known values on the collector (pure, time passed in). The birth says how often the
 * agent reads each parameter (poll_interval_ms), how often its telemetry leaves (telemetry_interval_ms)
 * and its stale factor. A last-known value that carries a value (good, uncertain) and is older than
 * staleFactor × (poll interval + telemetry interval) + STALE_GRACE_MS (the way through the broker
 * and the ingest commit, and clocks that differ a little) is shown stale (reason overdue): the agent
 * should have said something newer by then, so a dead or cut-off agent's last values never look
 * fresh. Bad and stale values stay as they are. Without those three numbers (an older agent) no
 * age is judged.
 */
import type { DeviceBirth, ParameterInfo } from '../../../protocol/values.js';

/** Added to every stale age: transport, group commit and clock differences between agent and collector. */
export const STALE_GRACE_MS = 2000;

/** A parameter as the registry keeps it: the birth's catalogue entry and the age after which its value is stale. */
export interface KnownParameter extends ParameterInfo {
  staleAfterMs?: number;
}

/** The birth's catalogue with each parameter's stale age, where the birth gives what it takes. */
export function withStaleAges(birth: Pick<DeviceBirth, 'parameters' | 'telemetryIntervalMs' | 'staleFactor'>): KnownParameter[] {
  const { telemetryIntervalMs, staleFactor } = birth;
  if (!telemetryIntervalMs || !staleFactor) return birth.parameters;
  return birth.parameters.map((p) => (p.pollIntervalMs ? { ...p, staleAfterMs: Math.round(staleFactor * (p.pollIntervalMs + telemetryIntervalMs)) + STALE_GRACE_MS } : p));
}

/** The stale age per parameter name (only those that have one). */
export function staleAges(parameters: readonly KnownParameter[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parameters) if (p.staleAfterMs !== undefined) out[p.name] = p.staleAfterMs;
  return out;
}

/** What judging an age needs of a value: its quality, why, and when it was read (a Sample, or a value as the API gives it). */
export interface Judged {
  quality: string;
  reason?: string;
  timeMs: number;
}

/**
 * The value as it should be shown at nowMs: stale (overdue) once a value is older than its stale age.
 * The dashboard imports this very function (web/src/quality.ts) to judge again as its clock moves.
 */
export function aged<T extends Judged>(s: T, staleAfterMs: number | undefined, nowMs: number): T {
  if (staleAfterMs === undefined || (s.quality !== 'good' && s.quality !== 'uncertain') || nowMs - s.timeMs <= staleAfterMs) return s;
  return { ...s, quality: 'stale', reason: 'overdue' };
}
