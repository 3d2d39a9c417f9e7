import t from 'tap';
import { decideTicket, ticketTitle, type OpenTicketState, type TicketDecision } from '../../collector/core/tickets/ticket-rules.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';

const NOW = Date.parse('2024-03-05T12:00:00Z');

function event(transition: Transition, timeMs: number, over: Partial<FaultEvent> = {}): FaultEvent {
  return {
    id: `ev-${transition}-${timeMs}`, device: 'drive-1', site: 'plant-a', seq: 1, timeMs, source: 'modbus',
    category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition, message: 'Output overcurrent',
    snapshot: [{ parameter: 'motor_current', value: 12.5, quality: 'good', timeMs: timeMs - 100 }],
    logExcerpt: ['E001 overcurrent'], labels: {}, adapterId: 'generic-vfd', remedy: 'Check the motor cable', ...over,
  };
}

function open(over: Partial<OpenTicketState> = {}): OpenTicketState {
  return { id: 7, faultActive: true, occurrences: 1, lastSeenMs: 1000, clearedAtMs: null, ...over };
}

t.test('a raise with no open ticket opens one', async (t) => {
  const d = decideTicket(event('raise', 1000), undefined, NOW);
  if (d.type !== 'open') throw new Error(`expected open, got ${d.type}`);
  t.match(d.ticket, {
    title: 'Output overcurrent on drive-1', device: 'drive-1', site: 'plant-a', code: 'vfd.overcurrent', category: 'hardware',
    severity: 'critical', priority: 'P1', priorityReason: 'P1: critical severity', status: 'new', faultActive: true,
    occurrences: 1, openedAtMs: NOW, firstSeenMs: 1000, lastSeenMs: 1000, clearedAtMs: null, closedAtMs: null,
    remedy: 'Check the motor cable', adapterId: 'generic-vfd', logExcerpt: ['E001 overcurrent'],
  });
  t.equal(d.ticket.snapshot.length, 1);
});

t.test('later events on an open ticket', async (t) => {
  const table: Array<{ name: string; event: FaultEvent; open: OpenTicketState; want: TicketDecision }> = [
    {
      name: 'a second raise counts an occurrence, no new ticket',
      event: event('raise', 2000), open: open(),
      want: { type: 'occurrence', ticketId: 7, update: { faultActive: true, occurrences: 2, lastSeenMs: 2000, clearedAtMs: null } },
    },
    {
      name: 'a clear records the clear; the ticket stays open',
      event: event('clear', 3000), open: open({ occurrences: 2, lastSeenMs: 2000 }),
      want: { type: 'clear', ticketId: 7, update: { faultActive: false, occurrences: 2, lastSeenMs: 2000, clearedAtMs: 3000 } },
    },
    {
      name: 'a raise after a clear marks the fault active again and counts it',
      event: event('raise', 4000), open: open({ faultActive: false, occurrences: 2, lastSeenMs: 2000, clearedAtMs: 3000 }),
      want: { type: 'occurrence', ticketId: 7, update: { faultActive: true, occurrences: 3, lastSeenMs: 4000, clearedAtMs: null } },
    },
    {
      name: 'a late raise from before the clear counts but leaves the fault cleared',
      event: event('raise', 2500), open: open({ faultActive: false, occurrences: 2, lastSeenMs: 2000, clearedAtMs: 3000 }),
      want: { type: 'occurrence', ticketId: 7, update: { faultActive: false, occurrences: 3, lastSeenMs: 2500, clearedAtMs: 3000 } },
    },
    {
      name: 'last seen never moves backwards',
      event: event('raise', 500), open: open({ lastSeenMs: 1000 }),
      want: { type: 'occurrence', ticketId: 7, update: { faultActive: true, occurrences: 2, lastSeenMs: 1000, clearedAtMs: null } },
    },
    {
      name: 'a second clear changes nothing but joins the timeline',
      event: event('clear', 5000), open: open({ faultActive: false, clearedAtMs: 3000 }),
      want: { type: 'none', ticketId: 7, reason: 'fault already cleared' },
    },
    {
      name: 'a clear older than the latest raise is stale',
      event: event('clear', 900), open: open({ lastSeenMs: 1000 }),
      want: { type: 'none', ticketId: 7, reason: 'clear is older than the latest raise' },
    },
  ];
  for (const row of table) t.same(decideTicket(row.event, row.open, NOW), row.want, row.name);
});

t.test('a clear with no open ticket does nothing', async (t) => {
  t.same(decideTicket(event('clear', 1000), undefined, NOW), { type: 'none', ticketId: null, reason: 'clear without an open ticket' });
});

t.test('priority of a new ticket follows the event severity', async (t) => {
  for (const [severity, priority] of [['major', 'P2'], ['minor', 'P3'], ['warning', 'P4'], ['info', 'P4']] as const) {
    const d = decideTicket(event('raise', 1000, { severity }), undefined, NOW);
    t.equal(d.type === 'open' ? d.ticket.priority : undefined, priority, severity);
  }
});

t.test('the title falls back to the code when the event has no message', async (t) => {
  t.equal(ticketTitle({ message: '', code: 'vfd.overheat', device: 'drive-2' }), 'vfd.overheat on drive-2');
});
