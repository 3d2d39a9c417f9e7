/**
 * An alarm as the API and the live stream show it: its ISA-18.2 state and marks, plus the ticket
 * that currently works its fault (not closed), so a console can sort alarms by ticket priority.
 */
import type { QueryPort, StoredAlarm } from '../store/port.js';
import { alarmState } from '../core/alarms/alarm-state.js';

import type { AlarmJson } from './alarm-schemas.js';

export type AlarmView = (s: StoredAlarm) => Promise<AlarmJson>;

export function alarmView(store: Pick<QueryPort, 'ticketForFault'>): AlarmView {
  return async (s) => {
    const a = s.alarm;
    const t = await store.ticketForFault(a.key.site, a.key.device, a.key.code);
    return {
      id: s.id, ...a.key, state: alarmState(a), category: a.category, severity: a.severity, message: a.message, active: a.active,
      acknowledged: a.acknowledged, shelved: a.shelved, suppressed: a.suppressed, outOfService: a.outOfService,
      lastRaiseMs: a.lastRaiseMs, lastClearMs: a.lastClearMs, changedAtMs: a.changedAtMs, raiseCount: a.raiseCount, chattering: s.chattering,
      ticket: t ? { id: t.id, number: t.number, priority: t.priority, status: t.status } : null,
    };
  };
}
