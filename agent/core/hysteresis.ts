/**
 * A limit alarm with deadband and on/off delays (ISA-18.2 style), as a pure state machine.
 * Raise: the value is past `limit` continuously for `onDelayMs`.
 * Clear: the value is back inside by at least `deadband` (limit - deadband for 'above')
 * continuously for `offDelayMs`. Between the two lines nothing changes, so a value hovering
 * at the limit cannot chatter.
 */
export interface LimitSpec {
  direction: 'above' | 'below';
  limit: number;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
}

export interface LimitState {
  active: boolean;
  /** When the value first crossed towards the other state, or null when it has not. */
  pendingSinceMs: number | null;
}

export const LIMIT_IDLE: LimitState = { active: false, pendingSinceMs: null };

export interface LimitStep {
  state: LimitState;
  transition: 'raise' | 'clear' | null;
}

export function stepLimit(spec: LimitSpec, state: LimitState, value: number, nowMs: number): LimitStep {
  const past = spec.direction === 'above' ? value > spec.limit : value < spec.limit;
  const back = spec.direction === 'above' ? value <= spec.limit - spec.deadband : value >= spec.limit + spec.deadband;
  const wantsChange = state.active ? back : past;
  if (!wantsChange) return { state: { active: state.active, pendingSinceMs: null }, transition: null };
  const since = state.pendingSinceMs ?? nowMs;
  const delay = state.active ? spec.offDelayMs : spec.onDelayMs;
  if (nowMs - since >= delay) {
    return { state: { active: !state.active, pendingSinceMs: null }, transition: state.active ? 'clear' : 'raise' };
  }
  return { state: { active: state.active, pendingSinceMs: since }, transition: null };
}
