/**
 * Bulk operator actions over a list of alarms ("acknowledge all on this page", "shelve these"): each
 * alarm is tried on its own, so one that does not fit the action is reported, not fatal.
 */
import { errorCode, errorMessage } from '../../../protocol/errors.js';
import type { Actor, AuditRecord } from '../desk/audit-record.js';
import { acknowledgeAlarm, alarmId, type Alarm, type AlarmOutcome } from './alarm-state.js';
import { DEFAULT_ALARM_POLICY, shelveAlarm, unshelveAlarm, type AlarmPolicy } from './alarm-suppression.js';

export interface BulkFailure {
  alarm: string;
  code: string;
  message: string;
}

export interface BulkOutcome {
  /** The alarms that changed, in input order. */
  changed: Alarm[];
  audit: AuditRecord[];
  failures: BulkFailure[];
}

export function applyToAll(alarms: readonly Alarm[], action: (a: Alarm) => AlarmOutcome): BulkOutcome {
  const out: BulkOutcome = { changed: [], audit: [], failures: [] };
  for (const a of alarms) {
    try {
      const r = action(a);
      out.changed.push(r.alarm);
      out.audit.push(...r.audit);
    } catch (err) {
      out.failures.push({ alarm: alarmId(a.key), code: errorCode(err), message: errorMessage(err) });
    }
  }
  return out;
}

export function acknowledgeAlarms(alarms: readonly Alarm[], actor: Actor, nowMs: number, note = ''): BulkOutcome {
  return applyToAll(alarms, (a) => acknowledgeAlarm(a, actor, nowMs, note));
}

export function shelveAlarms(
  alarms: readonly Alarm[], input: { by: Actor; reason: string; durationMs: number }, nowMs: number, policy: AlarmPolicy = DEFAULT_ALARM_POLICY,
): BulkOutcome {
  return applyToAll(alarms, (a) => shelveAlarm(a, input, nowMs, policy));
}

export function unshelveAlarms(alarms: readonly Alarm[], by: Actor, nowMs: number, reason: string): BulkOutcome {
  return applyToAll(alarms, (a) => unshelveAlarm(a, by, nowMs, reason));
}
