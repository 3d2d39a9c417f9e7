/**
 * Operator actions on alarms, single and in bulk: acknowledge, shelve / unshelve, suppress /
 * unsuppress, out of service / back in service. The core refuses what does not fit the state; a
 * bulk action reports those per alarm and applies the rest.
 */
import type { StoredAlarm } from '../store/port.js';
import { FaultlineError } from '../../protocol/errors.js';
import { applyToAll, type BulkFailure } from '../core/alarms/alarm-bulk.js';
import { acknowledgeAlarm, alarmId, type Alarm, type AlarmOutcome } from '../core/alarms/alarm-state.js';
import {
  removeFromService, returnToService, shelveAlarm, suppressAlarm, unshelveAlarm, unsuppressAlarm,
} from '../core/alarms/alarm-suppression.js';
import type { Actor } from '../core/desk/audit-record.js';

import type { DeskWork } from './desk-work.js';

export const ALARM_ACTIONS = ['ack', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'out-of-service', 'in-service'] as const;
export type AlarmActionName = (typeof ALARM_ACTIONS)[number];

export type AlarmAction =
  | { type: 'ack'; note?: string }
  | { type: 'shelve'; reason: string; durationMs: number }
  | { type: 'unshelve'; reason: string }
  | { type: 'suppress'; reason: string; untilMs?: number | null }
  | { type: 'unsuppress'; reason: string }
  | { type: 'out-of-service'; reason: string }
  | { type: 'in-service'; reason: string };

export interface BulkAlarmResult {
  changed: StoredAlarm[];
  failures: Array<BulkFailure & { id: number }>;
}

export function applyAlarmAction(a: Alarm, action: AlarmAction, actor: Actor, work: DeskWork): AlarmOutcome {
  const now = work.nowMs;
  switch (action.type) {
    case 'ack': return acknowledgeAlarm(a, actor, now, action.note ?? '');
    case 'shelve': return shelveAlarm(a, { by: actor, reason: action.reason, durationMs: action.durationMs }, now, work.settings.alarm);
    case 'unshelve': return unshelveAlarm(a, actor, now, action.reason);
    case 'suppress': return suppressAlarm(a, { by: actor, reason: action.reason, untilMs: action.untilMs ?? null }, now);
    case 'unsuppress': return unsuppressAlarm(a, actor, now, action.reason);
    case 'out-of-service': return removeFromService(a, actor, now, action.reason);
    case 'in-service': return returnToService(a, actor, now, action.reason);
  }
}

function notFound(id: number): FaultlineError {
  return new FaultlineError('FL_ERR_API_NOT_FOUND', `no alarm ${id}`, { context: { alarm: id } });
}

export function alarmAction(work: DeskWork, id: number, action: AlarmAction, actor: Actor): StoredAlarm {
  const stored = work.repo.alarms.byId(id);
  if (!stored) throw notFound(id);
  const outcome = applyAlarmAction(stored.alarm, action, actor, work);
  work.alarm(outcome, stored.alarm);
  return { ...stored, alarm: outcome.alarm };
}

export function bulkAlarmAction(work: DeskWork, ids: readonly number[], action: AlarmAction, actor: Actor): BulkAlarmResult {
  const found: StoredAlarm[] = [];
  const failures: BulkAlarmResult['failures'] = [];
  for (const id of new Set(ids)) {
    const stored = work.repo.alarms.byId(id);
    if (stored) found.push(stored);
    else failures.push({ id, alarm: '', code: 'FL_ERR_API_NOT_FOUND', message: `no alarm ${id}` });
  }
  const idOf = new Map(found.map((s) => [alarmId(s.alarm.key), s]));
  const outcomes: AlarmOutcome[] = [];
  const bulk = applyToAll(found.map((s) => s.alarm), (a) => {
    const o = applyAlarmAction(a, action, actor, work);
    outcomes.push(o);
    return o;
  });
  for (const o of outcomes) work.alarm(o);
  for (const f of bulk.failures) failures.push({ ...f, id: idOf.get(f.alarm)?.id ?? 0 });
  const changed = bulk.changed.map((a) => {
    const s = idOf.get(alarmId(a.key));
    return { id: s?.id ?? 0, chattering: s?.chattering ?? false, alarm: a };
  });
  return { changed, failures };
}
