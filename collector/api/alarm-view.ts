/**
 * An alarm as the API and the live stream show it: its ISA-18.2 state and marks, plus the ticket
 * that currently works its fault (not closed), so a console can sort alarms by ticket priority.
 */
import { alarmState } from '../core/alarm-state.js';
import type { StoredAlarm } from '../store/desk-alarms.js';
import type { DeskRepo } from '../store/store.js';
import type { AlarmJson } from './alarm-schemas.js';

export type AlarmView = (s: StoredAlarm) => AlarmJson;

export function alarmView(repo: Pick<DeskRepo, 'tickets'>): AlarmView {
  return (s) => {
    const a = s.alarm;
    const t = repo.tickets.currentForFault(a.key.site, a.key.device, a.key.code);
    return {
      id: s.id, ...a.key, state: alarmState(a), category: a.category, severity: a.severity, message: a.message, active: a.active,
      acknowledged: a.acknowledged, shelved: a.shelved, suppressed: a.suppressed, outOfService: a.outOfService,
      lastRaiseMs: a.lastRaiseMs, lastClearMs: a.lastClearMs, changedAtMs: a.changedAtMs, raiseCount: a.raiseCount, chattering: s.chattering,
      ticket: t ? { id: t.id, number: t.number, priority: t.priority, status: t.status } : null,
    };
  };
}
