/**
 * Turns decoded samples into fault transitions using an adapter's fault-code tables (enum and
 * bitfield), threshold rules and rate-of-change / stuck-value rules, plus the agent's own
 * comm-loss rule; chattering inputs are suppressed. Pure: state in, state and transitions out.
 */
import type { Adapter, FaultDef, RuleCondition } from '../../firmware-adapters/schema.js';
import type { Sample } from '../../protocol/values.js';
import { DEFAULT_CHATTER, filterChatter, initialChatterState, releaseChatter, type ChatterSpec, type ChatterState } from './chatter.js';
import { detectFaultTables } from './fault-tables.js';
import type { FaultTransition } from './fault-transition.js';
import { LIMIT_IDLE, stepLimit, type LimitState } from './hysteresis.js';
import { RATE_IDLE, stepRate, type RateState } from './rate-of-change.js';
import { conditionHolds } from './rule-condition.js';
import { resetStuck, stepStuck, STUCK_IDLE, type StuckState } from './stuck-value.js';

export type { FaultTransition } from './fault-transition.js';

export interface DetectorState {
  /** Last judged value of each fault-code register: the active code (enum) or the set fault bits (bitfield); 0 = healthy. */
  codes: Record<string, number>;
  /** Threshold rules, by fault code. */
  limits: Record<string, LimitState>;
  /** Rate-of-change rules, by fault code. */
  rates: Record<string, RateState>;
  /** Stuck-value rules, by fault code. */
  stuck: Record<string, StuckState>;
  commFailures: number;
  commLost: boolean;
  chatter: ChatterState;
}

export function initialDetectorState(): DetectorState {
  return { codes: {}, limits: {}, rates: {}, stuck: {}, commFailures: 0, commLost: false, chatter: initialChatterState() };
}

export interface DetectionResult {
  state: DetectorState;
  transitions: FaultTransition[];
}

export interface DetectOptions {
  /** Chatter suppression; `false` passes every transition through. Default DEFAULT_CHATTER. */
  chatter?: ChatterSpec | false;
}

function labelsOf(parameter: string, value: number, extra: Record<string, string> = {}): Record<string, string> {
  return { parameter, value: String(value), ...extra };
}

/** Whether a rule judges this poll: its condition holds, cannot be told (no good sample: wait), or does not hold (reset, clearing an active fault). */
function gate(when: RuleCondition | undefined, samples: ReadonlyMap<string, Sample>): 'judge' | 'wait' | 'reset' {
  const holds = conditionHolds(when, samples);
  return holds === null ? 'wait' : holds ? 'judge' : 'reset';
}

const clearIf = (active: boolean): 'clear' | null => (active ? 'clear' : null);

/** One poll's worth of samples (latest per parameter). Samples of bad or stale quality are not judged. */
export function detect(adapter: Adapter, prev: DetectorState, samples: ReadonlyMap<string, Sample>, nowMs: number, opts: DetectOptions = {}): DetectionResult {
  const tables = detectFaultTables(adapter, prev.codes, samples);
  const state: DetectorState = { ...prev, codes: tables.codes, limits: { ...prev.limits }, rates: { ...prev.rates }, stuck: { ...prev.stuck } };
  const raw: FaultTransition[] = [...tables.transitions];
  const push = (fault: FaultDef & { related: string[] }, transition: 'raise' | 'clear' | null, labels: Record<string, string>): void => {
    if (transition) raw.push({ fault, source: 'modbus', transition, related: fault.related, labels });
  };

  for (const rule of adapter.thresholds) {
    const s = samples.get(rule.parameter);
    const g = gate(rule.when, samples);
    if (!s || s.quality !== 'good' || g === 'wait') continue;
    const current = state.limits[rule.code] ?? LIMIT_IDLE;
    const step = g === 'judge' ? stepLimit(rule, current, s.value, nowMs) : { state: LIMIT_IDLE, transition: clearIf(current.active) };
    state.limits[rule.code] = step.state;
    push(rule, step.transition, labelsOf(rule.parameter, s.value, { limit: String(rule.limit) }));
  }

  for (const rule of adapter.rules ?? []) {
    const s = samples.get(rule.parameter);
    const g = gate(rule.when, samples);
    if (!s || s.quality !== 'good' || g === 'wait') continue;
    if (rule.kind === 'rate') {
      const current = state.rates[rule.code] ?? RATE_IDLE;
      const step = g === 'judge' ? stepRate(rule, current, s.value, nowMs) : { state: RATE_IDLE, transition: clearIf(current.limit.active), ratePerS: null };
      state.rates[rule.code] = step.state;
      push(rule, step.transition, labelsOf(rule.parameter, s.value, {
        limit_per_s: String(rule.limitPerS), ...(step.ratePerS === null ? {} : { rate_per_s: step.ratePerS.toPrecision(4) }),
      }));
    } else {
      const current = state.stuck[rule.code] ?? STUCK_IDLE;
      const step = g === 'judge' ? stepStuck(rule, current, s.value, nowMs) : resetStuck(current);
      state.stuck[rule.code] = step.state;
      push(rule, step.transition, labelsOf(rule.parameter, s.value, { unchanged_for_s: String(Math.round((nowMs - current.sinceMs) / 1000)) }));
    }
  }
  return suppressChatter(state, raw, nowMs, opts);
}

/** Runs transitions through chatter suppression and releases inputs that have calmed down. */
function suppressChatter(state: DetectorState, raw: FaultTransition[], nowMs: number, opts: DetectOptions): DetectionResult {
  const spec = opts.chatter ?? DEFAULT_CHATTER;
  if (spec === false) return { state, transitions: raw };
  const filtered = filterChatter(state.chatter, raw, nowMs, spec);
  const released = releaseChatter(filtered.state, nowMs, spec);
  return { state: { ...state, chatter: released.state }, transitions: [...filtered.transitions, ...released.transitions] };
}

export const COMM_LOSS_FAULT: FaultDef = {
  code: 'agent.modbus_comm_loss', category: 'link', severity: 'major',
  message: 'The device does not answer Modbus requests',
  remedy: 'Check power, the network cable or serial line, and the unit id and port in the agent config.',
};

/**
 * Counts consecutive failed polls; raises comm loss after `threshold` of them and clears on the
 * first answer. With `nowMs`, a link that keeps dropping is reported as chattering (see chatter.ts).
 */
export function detectComm(prev: DetectorState, ok: boolean, threshold: number, nowMs?: number, opts: DetectOptions = {}): DetectionResult {
  let result: DetectionResult;
  if (ok) {
    const state = { ...prev, commFailures: 0, commLost: false };
    result = { state, transitions: prev.commLost ? [{ fault: COMM_LOSS_FAULT, source: 'modbus', transition: 'clear', related: [], labels: {} }] : [] };
  } else {
    const failures = prev.commFailures + 1;
    const lost = failures >= threshold;
    const state = { ...prev, commFailures: failures, commLost: lost };
    const raise = lost && !prev.commLost;
    result = {
      state,
      transitions: raise ? [{ fault: COMM_LOSS_FAULT, source: 'modbus', transition: 'raise', related: [], labels: { failures: String(failures) } }] : [],
    };
  }
  return nowMs === undefined ? result : suppressChatter(result.state, result.transitions, nowMs, opts);
}
