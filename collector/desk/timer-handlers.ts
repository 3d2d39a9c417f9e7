/**
 * What a desk timer does when it fires: the core's time step for that object, stamped with the
 * exact instants it computes (so firing late changes nothing but the delay).
 */
import { advanceChatter } from '../core/alarm-chatter.js';
import { advanceFlood } from '../core/alarm-flood.js';
import { expireAlarm } from '../core/alarm-suppression.js';
import { SYSTEM } from '../core/audit-record.js';
import { tickTicket } from '../core/desk-timers.js';
import type { DeskTimer } from '../store/desk-timer-table.js';
import type { DeskWork } from './desk-work.js';

export function fireTimer(work: DeskWork, timer: DeskTimer): void {
  const { repo } = work;
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
