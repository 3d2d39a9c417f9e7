/**
 * The layers that keep an alarm from being annunciated, each recording who, when and why:
 * - shelved: an operator hides a nuisance alarm for a limited time (at most `maxShelveMs`); it
 *   unshelves by itself at `untilMs`;
 * - suppressed-by-design: the system hides it on purpose, e.g. during a maintenance window (may end
 *   by itself at `untilMs`);
 * - out-of-service: taken out for repair until someone returns it to service (drops a shelve).
 * When the last layer goes, ISA-18.2 returns the alarm to normal if its condition is gone, or to
 * active-unacknowledged (annunciated again) if it is still present. `alarmNextDeadline` is the
 * instant an edge timer should call `expireAlarm`, which stamps the change with that instant.
 */
import { SYSTEM, type Actor } from '../desk/audit-record.js';
import {
  alarmId, alarmOutcome, invalidTransition, isSuppressed, unchanged, type Alarm, type AlarmOutcome,
} from './alarm-state.js';
import { DESK_ERROR_CODES, deskError, requireText } from '../desk/desk-errors.js';

export interface AlarmPolicy {
  /** Longest an operator may shelve an alarm. */
  maxShelveMs: number;
}

export const DEFAULT_ALARM_POLICY: AlarmPolicy = { maxShelveMs: 8 * 3_600_000 };

function reasonOf(a: Alarm, reason: string): string {
  return requireText(reason, 'reason', DESK_ERROR_CODES.alarmReasonRequired, { alarm: alarmId(a.key) });
}

/** After a layer is removed: back to normal or annunciated again when no layer is left. */
function afterLift(before: Alarm, lifted: Alarm, change: { atMs: number; actor: Actor; action: string; reason: string }): AlarmOutcome {
  if (isSuppressed(lifted)) return alarmOutcome(before, { ...lifted, changedAtMs: change.atMs }, change);
  const next: Alarm = { ...lifted, acknowledged: !lifted.active, changedAtMs: change.atMs };
  return alarmOutcome(before, next, { ...change, annunciated: lifted.active });
}

export function shelveAlarm(
  a: Alarm, input: { by: Actor; reason: string; durationMs: number }, nowMs: number, policy: AlarmPolicy = DEFAULT_ALARM_POLICY,
): AlarmOutcome {
  const reason = reasonOf(a, input.reason);
  if (a.outOfService) invalidTransition(a, 'shelve', 'an out-of-service alarm is already hidden');
  if (a.shelved) invalidTransition(a, 'shelve', 'it is already shelved; unshelve it first to change the time');
  if (!(input.durationMs > 0) || input.durationMs > policy.maxShelveMs) {
    throw deskError(DESK_ERROR_CODES.alarmShelveDuration,
      `shelve time ${input.durationMs / 60_000} min is not within 0-${policy.maxShelveMs / 60_000} min`,
      { alarm: alarmId(a.key), durationMs: input.durationMs, maxShelveMs: policy.maxShelveMs }, 'shelve for a shorter time');
  }
  const shelved = { by: input.by, atMs: nowMs, reason, untilMs: nowMs + input.durationMs };
  return alarmOutcome(a, { ...a, shelved, changedAtMs: nowMs }, { atMs: nowMs, actor: input.by, action: 'shelve', reason });
}

export function unshelveAlarm(a: Alarm, by: Actor, nowMs: number, reason: string): AlarmOutcome {
  if (!a.shelved) invalidTransition(a, 'unshelve', 'only a shelved alarm can be unshelved');
  return afterLift(a, { ...a, shelved: null }, { atMs: nowMs, actor: by, action: 'unshelve', reason: reasonOf(a, reason) });
}

export function suppressAlarm(a: Alarm, input: { by: Actor; reason: string; untilMs?: number | null }, nowMs: number): AlarmOutcome {
  const reason = reasonOf(a, input.reason);
  if (a.suppressed) invalidTransition(a, 'suppress', 'it is already suppressed by design');
  const untilMs = input.untilMs ?? null;
  if (untilMs !== null && untilMs <= nowMs) invalidTransition(a, 'suppress', 'the suppression must end in the future');
  const suppressed = { by: input.by, atMs: nowMs, reason, untilMs };
  return alarmOutcome(a, { ...a, suppressed, changedAtMs: nowMs }, { atMs: nowMs, actor: input.by, action: 'suppress', reason });
}

export function unsuppressAlarm(a: Alarm, by: Actor, nowMs: number, reason: string): AlarmOutcome {
  if (!a.suppressed) invalidTransition(a, 'unsuppress', 'only a suppressed alarm can be unsuppressed');
  return afterLift(a, { ...a, suppressed: null }, { atMs: nowMs, actor: by, action: 'unsuppress', reason: reasonOf(a, reason) });
}

export function removeFromService(a: Alarm, by: Actor, nowMs: number, reason: string): AlarmOutcome {
  const why = reasonOf(a, reason);
  if (a.outOfService) invalidTransition(a, 'remove from service', 'it is already out of service');
  const next: Alarm = { ...a, shelved: null, outOfService: { by, atMs: nowMs, reason: why }, changedAtMs: nowMs };
  return alarmOutcome(a, next, { atMs: nowMs, actor: by, action: 'remove-from-service', reason: why });
}

export function returnToService(a: Alarm, by: Actor, nowMs: number, reason: string): AlarmOutcome {
  if (!a.outOfService) invalidTransition(a, 'return to service', 'only an out-of-service alarm can be returned to service');
  return afterLift(a, { ...a, outOfService: null }, { atMs: nowMs, actor: by, action: 'return-to-service', reason: reasonOf(a, reason) });
}

/** The next instant a layer ends by itself (shelve expiry, end of a timed suppression); null if none. */
export function alarmNextDeadline(a: Alarm): number | null {
  const times = [a.shelved?.untilMs, a.suppressed?.untilMs].filter((x): x is number => typeof x === 'number');
  return times.length > 0 ? Math.min(...times) : null;
}

/** Ends every layer whose time is up by nowMs, each stamped with its own expiry instant. */
export function expireAlarm(a: Alarm, nowMs: number): AlarmOutcome {
  let current = a;
  const audit: AlarmOutcome['audit'] = [];
  let annunciated = false;
  for (;;) {
    const due = alarmNextDeadline(current);
    if (due === null || due > nowMs) break;
    const step = current.shelved?.untilMs === due
      ? afterLift(current, { ...current, shelved: null }, { atMs: due, actor: SYSTEM, action: 'unshelve', reason: 'shelve time expired' })
      : afterLift(current, { ...current, suppressed: null }, { atMs: due, actor: SYSTEM, action: 'unsuppress', reason: 'suppression window ended' });
    current = step.alarm;
    audit.push(...step.audit);
    annunciated = step.annunciated;
  }
  if (audit.length === 0) return unchanged(a, 'nothing expired');
  return { alarm: current, transitioned: true, annunciated, audit, note: '' };
}
