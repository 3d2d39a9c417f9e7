/** Shared fixtures for the service-desk core tests: a device fault event, desk tickets, contexts. */
import { deskContext, type DeskContext } from '../../collector/core/desk/desk-context.js';
import { deviceTicket, manualTicket, type DeskTicket, type NewDeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { decideTicket } from '../../collector/core/tickets/ticket-rules.js';
import type { Actor } from '../../collector/core/desk/audit-record.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';

export const T0 = Date.parse('2024-03-05T10:00:00Z');
export const MIN = 60_000;
export const H = 60 * MIN;

export const alice: Actor = { kind: 'user', id: 'alice' };
export const bob: Actor = { kind: 'user', id: 'bob' };

export function faultEvent(transition: Transition, timeMs: number, over: Partial<FaultEvent> = {}): FaultEvent {
  return {
    id: `ev-${transition}-${timeMs}`, device: 'drive-1', site: 'plant-a', seq: 1, timeMs, source: 'modbus',
    category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition, message: 'Output overcurrent',
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: 'Check the motor cable', ...over,
  };
}

export function stored(t: NewDeskTicket, id = 7): DeskTicket {
  return { ...t, id, number: `TS-20240305-${String(id).padStart(4, '0')}` };
}

/** A P1 device ticket opened at T0 by a critical raise. */
export function deviceDeskTicket(over: Partial<FaultEvent> = {}, id = 7): DeskTicket {
  const d = decideTicket(faultEvent('raise', T0, over), undefined, T0);
  if (d.type !== 'open') throw new Error('expected the raise to open a ticket');
  return stored(deviceTicket(d.ticket), id);
}

/** A P3 ticket phoned in at T0. */
export function phoneTicket(id = 8): DeskTicket {
  return stored(manualTicket({
    origin: 'phone', reporter: 'carol@plant-a', title: 'Press 4 makes a grinding noise', description: 'since the morning shift',
    site: 'plant-a', device: 'press-4', category: 'hardware', severity: 'minor',
  }, T0), id);
}

export function ctxAt(nowMs: number, actor: Actor = alice, over: Partial<Omit<DeskContext, 'nowMs' | 'actor'>> = {}): DeskContext {
  return deskContext(nowMs, actor, over);
}
