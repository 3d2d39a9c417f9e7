/**
 * Alarms as operators see them: one per (site, device, code), with the ISA-18.2 states.
 *
 *   normal ──raise──> active-unacknowledged ──ack──> active-acknowledged
 *     ^                 │ clear                        │ clear
 *     │                 v                              v
 *     └──ack── cleared-unacknowledged (RTN unack)     normal
 *
 * Shelved, suppressed-by-design and out-of-service (alarm-suppression.ts) sit on top: while any is
 * set the alarm is not annunciated and cannot be acknowledged, but raises and clears still update
 * the process condition. Device events never throw (a repeated or stale one changes nothing and says
 * why); an operator action that does not fit the state throws FL_ERR_ALARM_INVALID_TRANSITION.
 */
import type { Category, FaultEvent, Severity } from '../../../protocol/values.js';
import { auditRecord, type Actor, type AuditRecord } from '../desk/audit-record.js';
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import { sequenceVerdict, type AppliedSeq } from './alarm-sequence.js';

export const ALARM_STATES = [
  'normal', 'active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged', 'shelved', 'suppressed-by-design', 'out-of-service',
] as const;
export type AlarmStateName = (typeof ALARM_STATES)[number];

export interface AlarmKey {
  site: string;
  device: string;
  code: string;
}

/** Who set a shelve / suppression / out-of-service, when and why. */
export interface AlarmMark {
  by: Actor;
  atMs: number;
  reason: string;
}

export interface Alarm {
  key: AlarmKey;
  category: Category;
  severity: Severity;
  message: string;
  /** The process condition: the device reports the fault present. */
  active: boolean;
  /** The latest annunciation has been acknowledged (true in normal). */
  acknowledged: boolean;
  shelved: (AlarmMark & { untilMs: number }) | null;
  suppressed: (AlarmMark & { untilMs: number | null }) | null;
  outOfService: AlarmMark | null;
  /** Device times of the latest raise and clear (out-of-order events are compared on these). */
  lastRaiseMs: number | null;
  lastClearMs: number | null;
  /** Collector time of the latest state change. */
  changedAtMs: number;
  raiseCount: number;
  /** The newest device event applied (alarm-sequence.ts); absent before the first sequenced event. */
  seq?: AppliedSeq;
}

export interface AlarmOutcome {
  alarm: Alarm;
  /** The visible state changed. */
  transitioned: boolean;
  /** Operators were shown a new unacknowledged alarm: what flood detection counts. */
  annunciated: boolean;
  audit: AuditRecord[];
  /** Why nothing changed, when nothing did. */
  note: string;
  /** A device event sent before the newest one applied (alarm-sequence.ts): stored, but the condition did not move. */
  late?: true;
}

export function alarmId(key: AlarmKey): string {
  return `${key.site}/${key.device}/${key.code}`;
}

/** The ISA-18.2 state without the suppression layers. */
export function annunciationState(a: Pick<Alarm, 'active' | 'acknowledged'>): AlarmStateName {
  if (a.active) return a.acknowledged ? 'active-acknowledged' : 'active-unacknowledged';
  return a.acknowledged ? 'normal' : 'cleared-unacknowledged';
}

/** The state shown: out-of-service over suppressed-by-design over shelved over the annunciation state. */
export function alarmState(a: Alarm): AlarmStateName {
  if (a.outOfService) return 'out-of-service';
  if (a.suppressed) return 'suppressed-by-design';
  if (a.shelved) return 'shelved';
  return annunciationState(a);
}

export function isSuppressed(a: Alarm): boolean {
  return a.outOfService !== null || a.suppressed !== null || a.shelved !== null;
}

/** Builds the outcome of a change from `before` to `after`, with one audit record when the state moved. */
export function alarmOutcome(
  before: Alarm | undefined, after: Alarm, change: { atMs: number; actor: Actor; action: string; reason: string; annunciated?: boolean },
): AlarmOutcome {
  const from = before ? alarmState(before) : 'normal';
  const to = alarmState(after);
  const audit = [auditRecord(change.atMs, change.actor, { kind: 'alarm', id: alarmId(after.key) }, change.action, { from, to, reason: change.reason })];
  return { alarm: after, transitioned: from !== to || before === undefined, annunciated: change.annunciated ?? false, audit, note: '' };
}

export function unchanged(alarm: Alarm, note: string): AlarmOutcome {
  return { alarm, transitioned: false, annunciated: false, audit: [], note };
}

export function invalidTransition(a: Alarm, action: string, hint: string): never {
  throw deskError(DESK_ERROR_CODES.alarmInvalidTransition, `cannot ${action} alarm ${alarmId(a.key)}: it is ${alarmState(a)}`,
    { alarm: alarmId(a.key), state: alarmState(a), action }, hint);
}

type AlarmEvent = Pick<FaultEvent, 'site' | 'device' | 'code' | 'category' | 'severity' | 'message' | 'timeMs' | 'transition'> & { seq?: number };

function fresh(e: AlarmEvent, nowMs: number): Alarm {
  return {
    key: { site: e.site, device: e.device, code: e.code }, category: e.category, severity: e.severity, message: e.message,
    active: false, acknowledged: true, shelved: null, suppressed: null, outOfService: null,
    lastRaiseMs: null, lastClearMs: null, changedAtMs: nowMs, raiseCount: 0,
  };
}

function deviceActor(e: AlarmEvent): Actor {
  return { kind: 'device', id: `${e.site}/${e.device}` };
}

/**
 * A raise or clear from the device; `nowMs` is the collector's clock. Sequenced events are ordered
 * by the device's sequence number (alarm-sequence.ts), others by device time.
 */
export function applyAlarmEvent(prev: Alarm | undefined, e: AlarmEvent, nowMs: number): AlarmOutcome {
  const a = prev ?? fresh(e, nowMs);
  const verdict = sequenceVerdict(a.seq, e);
  if (verdict === 'late') return lateEvent(a, e, nowMs);
  const outcome = applyInOrder(prev, a, e, nowMs, verdict === 'unsequenced');
  return (e.seq ?? 0) > 0 ? { ...outcome, alarm: { ...outcome.alarm, seq: { n: e.seq ?? 0, timeMs: e.timeMs } } } : outcome;
}

function applyInOrder(prev: Alarm | undefined, a: Alarm, e: AlarmEvent, nowMs: number, compareTimes: boolean): AlarmOutcome {
  if (e.transition === 'raise') {
    if (compareTimes && a.lastClearMs !== null && e.timeMs < a.lastClearMs) return unchanged(a, 'raise is older than the latest clear');
    const raised: Alarm = {
      ...a, category: e.category, severity: e.severity, message: e.message, lastRaiseMs: Math.max(a.lastRaiseMs ?? e.timeMs, e.timeMs),
      raiseCount: a.raiseCount + 1,
    };
    if (a.active) return unchanged(raised, 'already active');
    const next: Alarm = { ...raised, active: true, acknowledged: isSuppressed(a) ? a.acknowledged : false, changedAtMs: nowMs };
    return alarmOutcome(prev, next, { atMs: nowMs, actor: deviceActor(e), action: 'raise', reason: e.message || e.code, annunciated: !isSuppressed(a) });
  }
  // A clear of a cleared alarm moves nothing, but its time is kept: a raise sent before it may still arrive.
  if (!a.active) return unchanged({ ...a, lastClearMs: Math.max(a.lastClearMs ?? e.timeMs, e.timeMs) }, 'already cleared');
  if (compareTimes && a.lastRaiseMs !== null && e.timeMs < a.lastRaiseMs) return unchanged(a, 'clear is older than the latest raise');
  const next: Alarm = { ...a, active: false, lastClearMs: e.timeMs, changedAtMs: nowMs };
  return alarmOutcome(a, next, { atMs: nowMs, actor: deviceActor(e), action: 'clear', reason: 'device reports the condition gone' });
}

/**
 * An event the device sent before the newest one applied. A late clear moves nothing (its time is
 * kept as the latest clear's, as in sequence order). A late raise
 * happened before the newer event: it counts; when the newer event was a clear that left the alarm
 * acknowledged, the raise was never shown, so it is returned unacknowledged (as in sequence order:
 * raise, then clear → cleared-unacknowledged).
 */
function lateEvent(a: Alarm, e: AlarmEvent, nowMs: number): AlarmOutcome {
  const newest = a.seq?.n ?? 0;
  if (e.transition === 'clear') {
    const kept: Alarm = { ...a, lastClearMs: Math.max(a.lastClearMs ?? e.timeMs, e.timeMs) };
    return { ...unchanged(kept, `clear (seq ${e.seq ?? 0}) was sent before the newest applied event (seq ${newest})`), late: true };
  }
  const counted: Alarm = { ...a, lastRaiseMs: Math.max(a.lastRaiseMs ?? e.timeMs, e.timeMs), raiseCount: a.raiseCount + 1 };
  if (a.active || isSuppressed(a) || !a.acknowledged) {
    return { ...unchanged(counted, `raise (seq ${e.seq ?? 0}) was sent before the newest applied event (seq ${newest})`), late: true };
  }
  const next: Alarm = { ...counted, acknowledged: false, changedAtMs: nowMs };
  const reason = `${e.message || e.code} (late: seq ${e.seq ?? 0}, cleared since by seq ${newest})`;
  return { ...alarmOutcome(a, next, { atMs: nowMs, actor: deviceActor(e), action: 'raise', reason, annunciated: true }), late: true };
}

/** An operator acknowledges: active-unacknowledged → active-acknowledged, cleared-unacknowledged → normal. */
export function acknowledgeAlarm(a: Alarm, actor: Actor, nowMs: number, note = ''): AlarmOutcome {
  if (isSuppressed(a)) invalidTransition(a, 'acknowledge', 'a shelved, suppressed or out-of-service alarm is not annunciated; bring it back first');
  if (a.acknowledged) invalidTransition(a, 'acknowledge', 'it is already acknowledged');
  const next: Alarm = { ...a, acknowledged: true, changedAtMs: nowMs };
  return alarmOutcome(a, next, { atMs: nowMs, actor, action: 'acknowledge', reason: note.trim() || `acknowledged by ${actor.id}` });
}
