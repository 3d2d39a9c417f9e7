/**
 * Rate-of-change detection as a pure state machine: the slope of a parameter over a sliding
 * window, judged against a limit per second with the same hysteresis as a threshold
 * (deadband, on/off delays), so a slope hovering at the limit cannot chatter.
 */
import type { RateRule } from '../../firmware-adapters/schema.js';
import { LIMIT_IDLE, stepLimit, type LimitState } from './hysteresis.js';

/** What the detector needs of an adapter's rate rule (stated once, in the adapter schema). */
export type RateSpec = Pick<RateRule, 'direction' | 'limitPerS' | 'deadbandPerS' | 'windowMs' | 'onDelayMs' | 'offDelayMs'>;

export interface RateState {
  /** [timeMs, value] pairs inside the window, oldest first, thinned to at most MAX_POINTS. */
  points: ReadonlyArray<readonly [number, number]>;
  limit: LimitState;
}

export const RATE_IDLE: RateState = { points: [], limit: LIMIT_IDLE };

/** Only the oldest and newest points set the slope, so the window is thinned rather than grown. */
const MAX_POINTS = 64;

export interface RateStep {
  state: RateState;
  transition: 'raise' | 'clear' | null;
  /** The slope in units per second, or null while less than half the window is covered. */
  ratePerS: number | null;
}

function thin(points: Array<readonly [number, number]>): Array<readonly [number, number]> {
  if (points.length <= MAX_POINTS) return points;
  const last = points[points.length - 1]!;
  const kept = points.filter((_, i) => i % 2 === 0);
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}

/** Slope over the window: (newest - oldest) / elapsed, in units per second. */
export function windowSlope(points: ReadonlyArray<readonly [number, number]>, windowMs: number): number | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < 2) return null;
  const spanMs = last[0] - first[0];
  if (spanMs <= 0 || spanMs < windowMs / 2) return null;
  return ((last[1] - first[1]) * 1000) / spanMs;
}

export function stepRate(spec: RateSpec, state: RateState, value: number, nowMs: number): RateStep {
  const cutoff = nowMs - spec.windowMs;
  // Keep the newest point at or before the cutoff too, so the window stays fully covered between polls.
  let start = 0;
  while (start + 1 < state.points.length && state.points[start + 1]![0] <= cutoff) start++;
  const older = state.points.slice(start).filter(([t]) => t < nowMs);
  const points = thin([...older, [nowMs, value] as const]);
  const slope = windowSlope(points, spec.windowMs);
  if (slope === null) return { state: { points, limit: state.limit }, transition: null, ratePerS: null };
  const judged = spec.direction === 'rising' ? slope : spec.direction === 'falling' ? -slope : Math.abs(slope);
  const step = stepLimit({ direction: 'above', limit: spec.limitPerS, deadband: spec.deadbandPerS, onDelayMs: spec.onDelayMs, offDelayMs: spec.offDelayMs }, state.limit, judged, nowMs);
  return { state: { points, limit: step.state }, transition: step.transition, ratePerS: slope };
}
