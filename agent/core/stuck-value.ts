/**
 * Stuck (frozen) value detection as a pure state machine: a reading that stays within
 * `epsilon` of a reference for `afterMs` is frozen (a dead sensor, a stale copy, a halted
 * program counter). Any move past epsilon restarts the clock and clears an active fault.
 */
export interface StuckSpec {
  epsilon: number;
  afterMs: number;
}

export interface StuckState {
  /** The value the reading has stayed near, and since when; null before the first judged sample. */
  ref: number | null;
  sinceMs: number;
  active: boolean;
}

export const STUCK_IDLE: StuckState = { ref: null, sinceMs: 0, active: false };

export interface StuckStep {
  state: StuckState;
  transition: 'raise' | 'clear' | null;
}

export function stepStuck(spec: StuckSpec, state: StuckState, value: number, nowMs: number): StuckStep {
  if (state.ref === null || Math.abs(value - state.ref) > spec.epsilon) {
    return { state: { ref: value, sinceMs: nowMs, active: false }, transition: state.active ? 'clear' : null };
  }
  if (!state.active && nowMs - state.sinceMs >= spec.afterMs) {
    return { state: { ...state, active: true }, transition: 'raise' };
  }
  return { state, transition: null };
}

/** The condition stopped holding (or the rule cannot judge): forget the reference; clear if active. */
export function resetStuck(state: StuckState): StuckStep {
  return { state: STUCK_IDLE, transition: state.active ? 'clear' : null };
}
