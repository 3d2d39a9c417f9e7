/**
 * One SLA clock (a ticket has two: response and resolution). It runs on a calendar's working time,
 * can be paused (waiting on the customer) and stopped (responded / resolved), and is restarted when
 * a resolved ticket reopens. Due and warning times are exact instants computed from the calendar,
 * so an edge timer set to `nextClockDeadline` fires exactly on time; `advanceClock` then reports
 * each warning and breach once, stamped with the instant it happened, however late the edge calls.
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import { addBusinessMs, businessMsBetween, type Calendar } from './sla-calendar.js';

export type SlaClockKind = 'response' | 'resolution';

export interface SlaPause {
  fromMs: number;
  /** null while the pause lasts. */
  toMs: number | null;
  reason: string;
}

export interface SlaClock {
  kind: SlaClockKind;
  calendarId: string;
  /** Target in working-time ms of the calendar. */
  targetMs: number;
  /** Warn when this fraction of the target has elapsed, e.g. 0.75. */
  warnFraction: number;
  startedMs: number;
  pauses: SlaPause[];
  stoppedMs: number | null;
  /** The instant the warning / breach happened, once reported by advanceClock. */
  warnedAtMs: number | null;
  breachedAtMs: number | null;
}

export type ClockState = 'running' | 'paused' | 'stopped';

export interface ClockStatus {
  state: ClockState;
  elapsedMs: number;
  /** Working time left; negative once breached. */
  remainingMs: number;
  /** When the target is (or was) reached; null while paused or if stopped before it. */
  dueMs: number | null;
  warnAtMs: number | null;
  /** Stopped within target: true; stopped late: false; still open: null. */
  met: boolean | null;
  breached: boolean;
}

export interface ClockEvent {
  type: 'sla-warning' | 'sla-breach';
  clock: SlaClockKind;
  /** The exact instant the threshold was crossed. */
  atMs: number;
}

export function startClock(kind: SlaClockKind, opts: { calendarId: string; targetMs: number; warnFraction: number }, atMs: number): SlaClock {
  return { kind, ...opts, startedMs: atMs, pauses: [], stoppedMs: null, warnedAtMs: null, breachedAtMs: null };
}

export function clockState(clock: SlaClock): ClockState {
  if (clock.stoppedMs !== null) return 'stopped';
  return clock.pauses.some((p) => p.toMs === null) ? 'paused' : 'running';
}

function refuse(clock: SlaClock, action: string, atMs: number): never {
  throw deskError(DESK_ERROR_CODES.clockState, `cannot ${action} the ${clock.kind} clock: it is ${clockState(clock)}`,
    { clock: clock.kind, state: clockState(clock), atMs });
}

export function pauseClock(clock: SlaClock, atMs: number, reason: string): SlaClock {
  if (clockState(clock) !== 'running') refuse(clock, 'pause', atMs);
  return { ...clock, pauses: [...clock.pauses, { fromMs: atMs, toMs: null, reason }] };
}

export function resumeClock(clock: SlaClock, atMs: number): SlaClock {
  if (clockState(clock) !== 'paused') refuse(clock, 'resume', atMs);
  return { ...clock, pauses: clock.pauses.map((p) => (p.toMs === null ? { ...p, toMs: Math.max(atMs, p.fromMs) } : p)) };
}

/** Stops the clock (responded / resolved). A paused clock stops at its pause. */
export function stopClock(clock: SlaClock, atMs: number): SlaClock {
  const state = clockState(clock);
  if (state === 'stopped') refuse(clock, 'stop', atMs);
  const resumed = state === 'paused' ? resumeClock(clock, atMs) : clock;
  return { ...resumed, stoppedMs: atMs };
}

/** Runs a stopped clock again (a reopened ticket): the time it was stopped counts as a pause. */
export function restartClock(clock: SlaClock, atMs: number, reason: string): SlaClock {
  if (clock.stoppedMs === null) refuse(clock, 'restart', atMs);
  return { ...clock, pauses: [...clock.pauses, { fromMs: clock.stoppedMs, toMs: Math.max(atMs, clock.stoppedMs), reason }], stoppedMs: null };
}

/** A new target (the priority changed). Warnings and breaches already reported stay reported. */
export function retargetClock(clock: SlaClock, targetMs: number): SlaClock {
  return { ...clock, targetMs };
}

/** Stretches of running time: [from, to) with to = null while still running. */
function runningSegments(clock: SlaClock): Array<[number, number | null]> {
  const segments: Array<[number, number | null]> = [];
  let cursor: number | null = clock.startedMs;
  for (const p of clock.pauses) {
    if (cursor === null) break;
    segments.push([cursor, p.fromMs]);
    cursor = p.toMs;
  }
  if (cursor !== null) segments.push([cursor, clock.stoppedMs]);
  return segments;
}

export function elapsedMs(clock: SlaClock, cal: Calendar, atMs: number): number {
  let total = 0;
  for (const [from, to] of runningSegments(clock)) total += businessMsBetween(cal, from, Math.min(to ?? atMs, atMs));
  return total;
}

/**
 * The instant at which the clock's elapsed working time passed `amountMs`, past or future;
 * null if the clock was stopped or is paused before getting there.
 */
export function instantAtElapsed(clock: SlaClock, cal: Calendar, amountMs: number): number | null {
  let acc = 0;
  for (const [from, to] of runningSegments(clock)) {
    if (to === null) return addBusinessMs(cal, from, amountMs - acc);
    const len = businessMsBetween(cal, from, to);
    if (acc + len > amountMs) return addBusinessMs(cal, from, amountMs - acc);
    acc += len;
  }
  return null;
}

export function warnThresholdMs(clock: SlaClock): number {
  return Math.ceil(clock.targetMs * clock.warnFraction);
}

export function clockStatus(clock: SlaClock, cal: Calendar, nowMs: number): ClockStatus {
  const state = clockState(clock);
  const elapsed = elapsedMs(clock, cal, nowMs);
  const dueMs = instantAtElapsed(clock, cal, clock.targetMs);
  return {
    state, elapsedMs: elapsed, remainingMs: clock.targetMs - elapsed, dueMs,
    warnAtMs: instantAtElapsed(clock, cal, warnThresholdMs(clock)),
    met: state === 'stopped' ? elapsed <= clock.targetMs : null,
    breached: clock.breachedAtMs !== null || (dueMs !== null && dueMs <= nowMs),
  };
}

/** Reports the warning and the breach whose instants are ≤ nowMs and were not reported yet. */
export function advanceClock(clock: SlaClock, cal: Calendar, nowMs: number): { clock: SlaClock; events: ClockEvent[] } {
  const events: ClockEvent[] = [];
  let next = clock;
  if (next.warnedAtMs === null) {
    const warnAt = instantAtElapsed(next, cal, warnThresholdMs(next));
    if (warnAt !== null && warnAt <= nowMs) {
      next = { ...next, warnedAtMs: warnAt };
      events.push({ type: 'sla-warning', clock: next.kind, atMs: warnAt });
    }
  }
  if (next.breachedAtMs === null) {
    const dueAt = instantAtElapsed(next, cal, next.targetMs);
    if (dueAt !== null && dueAt <= nowMs) {
      next = { ...next, breachedAtMs: dueAt };
      events.push({ type: 'sla-breach', clock: next.kind, atMs: dueAt });
    }
  }
  return { clock: next, events };
}

/**
 * The next instant advanceClock would report something, for an edge timer; null if nothing is
 * pending. It may lie in the past (a threshold crossed but not reported yet): call advanceClock now.
 */
export function nextClockDeadline(clock: SlaClock, cal: Calendar): number | null {
  if (clock.warnedAtMs === null) return instantAtElapsed(clock, cal, warnThresholdMs(clock));
  if (clock.breachedAtMs === null) return instantAtElapsed(clock, cal, clock.targetMs);
  return null;
}
