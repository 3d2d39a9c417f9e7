/**
 * Turns decoded samples into fault transitions using an adapter's fault-code tables and
 * threshold rules, plus the agent's own comm-loss rule. Pure: state in, state and transitions out.
 */
import type { Adapter, FaultDef } from '../../firmware-adapters/schema.js';
import type { Sample, Source } from '../../protocol/values.js';
import { LIMIT_IDLE, stepLimit, type LimitState } from './hysteresis.js';

export interface FaultTransition {
  fault: FaultDef;
  source: Source;
  transition: 'raise' | 'clear';
  /** Parameters whose pre-fault window travels with the event. */
  related: readonly string[];
  labels: Record<string, string>;
}

export interface DetectorState {
  /** Active value of each fault-code register (0 = healthy). */
  codes: Record<string, number>;
  limits: Record<string, LimitState>;
  commFailures: number;
  commLost: boolean;
}

export function initialDetectorState(): DetectorState {
  return { codes: {}, limits: {}, commFailures: 0, commLost: false };
}

export interface DetectionResult {
  state: DetectorState;
  transitions: FaultTransition[];
}

function codeFault(adapter: Adapter, tableIndex: number, value: number): FaultDef {
  const table = adapter.faultTables[tableIndex]!;
  const known = table.codes[value];
  if (known) return known;
  return { ...table.unknown, code: `${adapter.id}.unknown_${value}`, message: `Unknown fault code ${value} in ${table.register}` };
}

/** One poll's worth of samples (latest per parameter). Samples of bad or stale quality are not judged. */
export function detect(adapter: Adapter, prev: DetectorState, samples: ReadonlyMap<string, Sample>, nowMs: number): DetectionResult {
  const state: DetectorState = { ...prev, codes: { ...prev.codes }, limits: { ...prev.limits } };
  const transitions: FaultTransition[] = [];

  adapter.faultTables.forEach((table, i) => {
    const s = samples.get(table.register);
    if (!s || s.quality !== 'good') return;
    const value = Math.round(s.value);
    const before = state.codes[table.register] ?? 0;
    if (value === before) return;
    const labels = { register: table.register };
    if (before !== 0) transitions.push({ fault: codeFault(adapter, i, before), source: 'modbus', transition: 'clear', related: table.related, labels: { ...labels, value: String(before) } });
    if (value !== 0) transitions.push({ fault: codeFault(adapter, i, value), source: 'modbus', transition: 'raise', related: table.related, labels: { ...labels, value: String(value) } });
    state.codes[table.register] = value;
  });

  for (const rule of adapter.thresholds) {
    const s = samples.get(rule.parameter);
    if (!s || s.quality !== 'good') continue;
    const step = stepLimit(rule, state.limits[rule.code] ?? LIMIT_IDLE, s.value, nowMs);
    state.limits[rule.code] = step.state;
    if (step.transition) {
      transitions.push({
        fault: rule, source: 'modbus', transition: step.transition, related: rule.related,
        labels: { parameter: rule.parameter, limit: String(rule.limit), value: String(s.value) },
      });
    }
  }
  return { state, transitions };
}

export const COMM_LOSS_FAULT: FaultDef = {
  code: 'agent.modbus_comm_loss', category: 'link', severity: 'major',
  message: 'The device does not answer Modbus requests',
  remedy: 'Check power, the network cable or serial line, and the unit id and port in the agent config.',
};

/** Counts consecutive failed polls; raises comm loss after `threshold` of them and clears on the first answer. */
export function detectComm(prev: DetectorState, ok: boolean, threshold: number): DetectionResult {
  if (ok) {
    const state = { ...prev, commFailures: 0, commLost: false };
    return { state, transitions: prev.commLost ? [{ fault: COMM_LOSS_FAULT, source: 'modbus', transition: 'clear', related: [], labels: {} }] : [] };
  }
  const failures = prev.commFailures + 1;
  const lost = failures >= threshold;
  const state = { ...prev, commFailures: failures, commLost: lost };
  const raise = lost && !prev.commLost;
  return {
    state,
    transitions: raise ? [{ fault: COMM_LOSS_FAULT, source: 'modbus', transition: 'raise', related: [], labels: { failures: String(failures) } }] : [],
  };
}
