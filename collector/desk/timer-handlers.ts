/**
 * What a desk timer does when it fires: the core's time step for that object, stamped with the
 * exact instants it computes (so firing late changes nothing but the delay, and the audit record
 * of a late step says when it was due and when it ran: DeskWork.timerRun).
 */
import type { DeskScope, DeskTimer } from '../store/port.js';
import { advanceChatter } from '../core/alarms/alarm-chatter.js';
import { advanceFlood } from '../core/alarms/alarm-flood.js';
import { expireAlarm } from '../core/alarms/alarm-suppression.js';
import { SYSTEM } from '../core/desk/audit-record.js';
import { tickTicket } from '../core/desk/desk-timers.js';

import type { DeskWork } from './desk-work.js';

export function fireTimer(work: DeskWork, timer: DeskTimer): void {
  const { repo } = work;
  work.timerRun = true;
  switch (timer.kind) {
    case 'ticket': {
      const t = repo.tickets.get(Number(timer.key));
      if (t) work.ticket(tickTicket(t, work.escalation(SYSTEM)), t);
      else repo.timers.set('ticket', timer.key, null);
      return;
    }
    case 'alarm': {
      const stored = repo.alarms.byId(Number(timer.key));
      if (stored) work.alarm(expireAlarm(stored.alarm, work.nowMs), stored.alarm);
      else repo.timers.set('alarm', timer.key, null);
      return;
    }
    case 'flood': {
      const state = repo.alarms.flood(timer.key);
      if (state) work.flood(advanceFlood(state, work.nowMs, work.settings.flood));
      else repo.timers.set('flood', timer.key, null);
      return;
    }
    case 'chatter': {
      const state = repo.alarms.chatter(timer.key);
      if (state) work.chatter(advanceChatter(state, work.nowMs, work.settings.chatter));
      else repo.timers.set('chatter', timer.key, null);
      return;
    }
  }
}

/** The scope of the unit that fires the timer: what it touches, and the timer itself, claimed when due by nowMs. */
export function claiming(timer: DeskTimer, nowMs: number): DeskScope {
  return { ...timerScope(timer), claim: { kind: timer.kind, key: timer.key, dueBy: nowMs } };
}

/** What firing the timer touches (see DeskScope). */
export function timerScope(timer: DeskTimer): DeskScope {
  switch (timer.kind) {
    case 'ticket': return { tickets: [Number(timer.key)] };
    case 'alarm': return { alarms: [Number(timer.key)] };
    case 'flood': return { sites: [timer.key] };
    case 'chatter': return { sites: [timer.key.split('/')[0] ?? timer.key] };
  }
}
