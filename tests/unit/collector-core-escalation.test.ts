import t from 'tap';
import { DEFAULT_CALENDARS, DEFAULT_LIFECYCLE_POLICY } from '../../collector/core/desk/desk-context.js';
import type { DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { tickTicket, ticketNextDeadline } from '../../collector/core/desk/desk-timers.js';
import { autoEscalationDueMs, escalateTicket, type EscalationContext } from '../../collector/core/routing/escalation.js';
import type { Team } from '../../collector/core/routing/on-call.js';
import { acknowledgeTicket, resolveTicket, startWork } from '../../collector/core/tickets/ticket-lifecycle.js';
import { applyFaultEvent } from '../../collector/core/tickets/ticket-verification.js';
import { bob, ctxAt, deviceDeskTicket, faultEvent, H, MIN, T0 } from './collector-core-fixtures.js';

const onCall = (id: string, tier: 'L1' | 'L2' | 'L3') => ({ id: `${tier}-${id}`, tier, timeZone: 'UTC', kind: 'daily' as const, handover: '00:00', startDate: '2024-01-01', participants: [id], overrides: [] });
const drives: Team = {
  id: 'drives', name: 'Drives',
  members: [
    { id: 'ann', name: 'Ann', tier: 'L1', skills: ['hardware'], timeZone: 'UTC' },
    { id: 'gus', name: 'Gus', tier: 'L2', skills: ['hardware'], timeZone: 'UTC' },
    { id: 'kim', name: 'Kim', tier: 'L3', skills: ['hardware'], timeZone: 'UTC' },
  ],
  rotations: [onCall('ann', 'L1'), onCall('gus', 'L2'), onCall('kim', 'L3')],
};

function ectx(nowMs: number, over: Partial<EscalationContext> = {}): EscalationContext {
  return { ...ctxAt(nowMs), teams: { drives }, load: {}, ...over };
}

/** A P1 device ticket (respond within 15 min) routed to drives L1, assigned to ann. */
function routed(): DeskTicket {
  return { ...deviceDeskTicket(), team: 'drives', tier: 'L1', assignee: 'ann', requiredSkills: ['hardware'] };
}

t.test('not acknowledged within the response target: next tier, assigned and notified, each step exactly on time', async (t) => {
  const x = routed();
  t.equal(autoEscalationDueMs(x, DEFAULT_CALENDARS), T0 + 15 * MIN);
  t.same(tickTicket(x, ectx(T0 + 15 * MIN - 1)).audit.map((a) => a.action), ['sla-warning'], 'before the target only the 75 % warning');
  const first = tickTicket(x, ectx(T0 + 15 * MIN));
  t.match(first.ticket, { tier: 'L2', assignee: 'gus', escalation: { count: 1, lastAtMs: T0 + 15 * MIN } });
  t.same(first.audit.map((a) => [a.action, a.atMs]), [
    ['sla-warning', T0 + 11.25 * MIN], ['sla-breach', T0 + 15 * MIN], ['escalate', T0 + 15 * MIN], ['escalate-assign', T0 + 15 * MIN],
  ]);
  t.match(first.audit[2], { from: 'L1', to: 'L2', reason: 'not acknowledged within 15 min at L1', details: { kind: 'auto', assignee: 'gus' } });
  const escalated = first.effects.find((e) => e.event === 'ticket.escalated');
  t.same(escalated?.recipients, [{ kind: 'member', id: 'gus' }, { kind: 'member', id: 'ann' }], 'the new assignee and the previous one are told');
  t.equal(ticketNextDeadline(first.ticket, { calendars: DEFAULT_CALENDARS, lifecycle: DEFAULT_LIFECYCLE_POLICY }), T0 + 30 * MIN, 'L2 gets another 15 min');

  const all = tickTicket(x, ectx(T0 + 2 * H));
  t.same(all.audit.filter((a) => a.action === 'escalate' || a.action === 'management-alert').map((a) => [a.action, a.from, a.to, a.atMs]), [
    ['escalate', 'L1', 'L2', T0 + 15 * MIN], ['escalate', 'L2', 'L3', T0 + 30 * MIN], ['management-alert', null, null, T0 + 45 * MIN],
  ], 'a late tick catches up, every step at its own instant; past L3 management is alerted');
  t.match(all.ticket, { tier: 'L3', assignee: 'kim', escalation: { count: 2, managementNotifiedAtMs: T0 + 45 * MIN } });
  t.match(all.effects.filter((e) => e.event === 'ticket.management-alert'), [{ recipients: [{ kind: 'management' }], atMs: T0 + 45 * MIN }]);
  t.equal(autoEscalationDueMs(all.ticket, DEFAULT_CALENDARS), null, 'management is alerted once');
  t.same(tickTicket(all.ticket, ectx(T0 + 5 * H)).audit.map((a) => a.action), ['sla-warning', 'sla-breach'],
    'later only the resolution clock still reports (3 h warning, 4 h breach); no more escalation');
});

t.test('an acknowledged ticket does not escalate by itself', async (t) => {
  const acked = acknowledgeTicket(routed(), ctxAt(T0 + 5 * MIN)).ticket;
  t.equal(autoEscalationDueMs(acked, DEFAULT_CALENDARS), null);
  t.match(tickTicket(acked, ectx(T0 + 3 * H)).ticket, { tier: 'L1', assignee: 'ann' });
});

t.test('explicit escalation, and its limits', async (t) => {
  const up = escalateTicket(startWork(routed(), ctxAt(T0 + MIN)).ticket, ectx(T0 + 5 * MIN, { actor: bob }), 'needs firmware knowledge');
  t.match(up.ticket, { tier: 'L2', assignee: 'gus', status: 'in-progress' });
  t.match(up.audit[0], { actor: bob, action: 'escalate', from: 'L1', to: 'L2', reason: 'needs firmware knowledge', details: { kind: 'manual' } });
  const atTop: DeskTicket = { ...routed(), tier: 'L3', assignee: 'kim' };
  const resolved = resolveTicket(routed(), ctxAt(T0 + MIN), { cause: 'c', action: 'a', fix: 'workaround' }).ticket;
  const table: Array<[string, () => unknown, string]> = [
    ['beyond L3', () => escalateTicket(atTop, ectx(T0), 'help'), 'FL_ERR_ESCALATION_TOP_TIER'],
    ['a resolved ticket', () => escalateTicket(resolved, ectx(T0), 'help'), 'FL_ERR_TICKET_INVALID_TRANSITION'],
    ['without a reason', () => escalateTicket(routed(), ectx(T0), ' '), 'FL_ERR_TICKET_FIELD_REQUIRED'],
    ['a team that is not configured', () => escalateTicket({ ...routed(), team: 'ghosts' }, ectx(T0), 'help'), 'FL_ERR_ESCALATION_UNKNOWN_TEAM'],
  ];
  for (const [name, fn, code] of table) t.throws(fn, { code }, name);
});

t.test('the next deadline of a ticket is the earliest of SLA warning/breach, escalation and verified close', async (t) => {
  const ctx = { calendars: DEFAULT_CALENDARS, lifecycle: DEFAULT_LIFECYCLE_POLICY };
  t.equal(ticketNextDeadline(routed(), ctx), T0 + 11.25 * MIN, 'new P1: the response warning');
  const acked = acknowledgeTicket(routed(), ctxAt(T0 + MIN)).ticket;
  t.equal(ticketNextDeadline(acked, ctx), T0 + 3 * H, 'acknowledged: the resolution warning (75 % of 4 h)');
  const resolved = resolveTicket(acked, ctxAt(T0 + H), { cause: 'c', action: 'a', fix: 'permanent' }).ticket;
  t.equal(ticketNextDeadline(resolved, ctx), null, 'resolved with the fault active: nothing to wait for');
  const cleared = applyFaultEvent(resolved, faultEvent('clear', T0 + 70 * MIN), ctxAt(T0 + 70 * MIN)).ticket;
  t.equal(ticketNextDeadline(cleared, ctx), T0 + 85 * MIN, 'fault cleared: the device-verified close');
  t.match(tickTicket(cleared, ectx(T0 + 85 * MIN)).ticket, { status: 'closed', closedAtMs: T0 + 85 * MIN });
});
