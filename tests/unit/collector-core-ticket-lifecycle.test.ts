import t from 'tap';
import type { TicketOutcome } from '../../collector/core/desk/desk-context.js';
import type { DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { manualTicket } from '../../collector/core/tickets/desk-ticket.js';
import { addComment, rateSatisfaction } from '../../collector/core/tickets/ticket-feedback.js';
import { ticketClockStatus } from '../../collector/core/sla/ticket-clocks.js';
import {
  acknowledgeTicket, closeTicket, customerReplied, reopenTicket, resolveTicket, startWork, waitOnCustomer,
} from '../../collector/core/tickets/ticket-lifecycle.js';
import type { TicketStatus } from '../../collector/core/tickets/ticket.js';
import { DEFAULT_CALENDARS } from '../../collector/core/desk/desk-context.js';
import { alice, bob, ctxAt, deviceDeskTicket, H, MIN, phoneTicket, T0 } from './collector-core-fixtures.js';

const note = { cause: 'worn bearing', action: 'replaced the bearing', fix: 'permanent' as const };

/** Drives a ticket through steps, one minute apart, returning the last outcome. */
function drive(t0: DeskTicket, steps: Array<(t: DeskTicket, now: number) => TicketOutcome>): TicketOutcome {
  let out: TicketOutcome = { ticket: t0, effects: [], audit: [] };
  steps.forEach((step, i) => { out = step(out.ticket, T0 + (i + 1) * MIN); });
  return out;
}

const ack = (x: DeskTicket, now: number) => acknowledgeTicket(x, ctxAt(now));
const start = (x: DeskTicket, now: number) => startWork(x, ctxAt(now));
const wait = (x: DeskTicket, now: number) => waitOnCustomer(x, ctxAt(now), 'asked for the motor serial number');
const replied = (x: DeskTicket, now: number) => customerReplied(x, ctxAt(now, bob));
const resolve = (x: DeskTicket, now: number) => resolveTicket(x, ctxAt(now), note);
const close = (x: DeskTicket, now: number) => closeTicket(x, ctxAt(now));
const reopen = (x: DeskTicket, now: number) => reopenTicket(x, ctxAt(now), 'customer says it is back');

t.test('the workflow: which step is allowed from which status', async (t) => {
  const table: Array<{ name: string; steps: Array<(x: DeskTicket, now: number) => TicketOutcome>; status?: TicketStatus; error?: string }> = [
    { name: 'new → acknowledged', steps: [ack], status: 'acknowledged' },
    { name: 'new → in-progress (starting work is a first response too)', steps: [start], status: 'in-progress' },
    { name: 'acknowledged → in-progress → waiting-on-customer → in-progress', steps: [ack, start, wait, replied], status: 'in-progress' },
    { name: 'in-progress → resolved → closed', steps: [start, resolve, close], status: 'closed' },
    { name: 'resolved → reopened (in progress)', steps: [start, resolve, reopen], status: 'in-progress' },
    { name: 'waiting-on-customer → resolved', steps: [start, wait, resolve], status: 'resolved' },
    { name: 'acknowledge twice', steps: [ack, ack], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    { name: 'wait on the customer before anyone responded', steps: [wait], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    { name: 'close before resolving', steps: [start, close], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    { name: 'reopen an open ticket', steps: [start, reopen], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    { name: 'resolve a closed ticket', steps: [start, resolve, close, resolve], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    { name: 'customer replies when nobody waits', steps: [start, replied], error: 'FL_ERR_TICKET_INVALID_TRANSITION' },
  ];
  for (const row of table) {
    if (row.error) t.throws(() => drive(phoneTicket(), row.steps), { code: row.error }, row.name);
    else t.equal(drive(phoneTicket(), row.steps).ticket.status, row.status, row.name);
  }
});

t.test('resolving needs a resolution note: cause, action, workaround or permanent fix', async (t) => {
  const started = startWork(phoneTicket(), ctxAt(T0 + MIN)).ticket;
  const table: Array<[string, Parameters<typeof resolveTicket>[2]]> = [
    ['no cause', { action: 'replaced', fix: 'permanent' }],
    ['blank action', { cause: 'bearing', action: '  ', fix: 'permanent' }],
    ['no fix kind', { cause: 'bearing', action: 'replaced' }],
  ];
  for (const [name, bad] of table) t.throws(() => resolveTicket(started, ctxAt(T0 + 2 * MIN), bad), { code: 'FL_ERR_TICKET_RESOLUTION_REQUIRED' }, name);
  const out = resolveTicket(started, ctxAt(T0 + 2 * MIN), { cause: 'worn bearing', action: 'greased it', fix: 'workaround' });
  t.match(out.ticket, { status: 'resolved', resolvedAtMs: T0 + 2 * MIN, resolution: { cause: 'worn bearing', action: 'greased it', fix: 'workaround', by: alice, atMs: T0 + 2 * MIN } });
  t.match(out.audit, [{ action: 'resolve', from: 'in-progress', to: 'resolved', reason: 'workaround: greased it (cause: worn bearing)', actor: alice }]);
  t.match(out.effects, [{ type: 'notify', event: 'ticket.resolved', recipients: [{ kind: 'reporter', id: 'carol@plant-a' }] }]);
});

t.test('SLA clocks follow the status: response stops at first response, waiting-on-customer pauses resolution', async (t) => {
  // P3 phone ticket: respond 4 h, resolve 3 days (72 h), 24x7.
  const acked = acknowledgeTicket(phoneTicket(), ctxAt(T0 + 30 * MIN)).ticket;
  t.equal(acked.acknowledgedAtMs, T0 + 30 * MIN);
  const s1 = ticketClockStatus(acked, DEFAULT_CALENDARS, T0 + 10 * H);
  t.match(s1.response, { state: 'stopped', met: true, elapsedMs: 30 * MIN });
  const waiting = waitOnCustomer(startWork(acked, ctxAt(T0 + H)).ticket, ctxAt(T0 + 2 * H), 'need photos').ticket;
  t.equal(ticketClockStatus(waiting, DEFAULT_CALENDARS, T0 + 12 * H).resolution.state, 'paused');
  t.equal(ticketClockStatus(waiting, DEFAULT_CALENDARS, T0 + 12 * H).resolution.elapsedMs, 2 * H, 'no time counts while waiting');
  const back = customerReplied(waiting, ctxAt(T0 + 12 * H, bob)).ticket;
  t.equal(ticketClockStatus(back, DEFAULT_CALENDARS, T0 + 12 * H).resolution.dueMs, T0 + 82 * H, '72 h target + 10 h waited');
  const resolved = resolveTicket(back, ctxAt(T0 + 20 * H), note).ticket;
  t.match(ticketClockStatus(resolved, DEFAULT_CALENDARS, T0 + 100 * H).resolution, { state: 'stopped', met: true, elapsedMs: 10 * H });
  const reopened = reopenTicket(resolved, ctxAt(T0 + 30 * H), 'still grinding').ticket;
  t.match(reopened, { status: 'in-progress', reopenCount: 1, resolution: null, resolvedAtMs: null });
  t.equal(ticketClockStatus(reopened, DEFAULT_CALENDARS, T0 + 31 * H).resolution.elapsedMs, 11 * H, 'the resolution clock runs on from where it stopped');
});

t.test('a step reports SLA breaches that happened before it, at their instants', async (t) => {
  // P1 device ticket: respond within 15 min; acknowledged only after 20 min.
  const out = acknowledgeTicket(deviceDeskTicket(), ctxAt(T0 + 20 * MIN));
  t.match(out.effects.map((e) => [e.event, e.atMs]), [['ticket.sla-warning', T0 + 11.25 * MIN], ['ticket.sla-breach', T0 + 15 * MIN], ['ticket.acknowledged', T0 + 20 * MIN]]);
  t.match(out.audit.map((a) => a.action), ['sla-warning', 'sla-breach', 'acknowledge']);
  t.match(ticketClockStatus(out.ticket, DEFAULT_CALENDARS, T0 + H).response, { met: false, breached: true });
});

t.test('reopening a closed ticket only within the reopen window', async (t) => {
  const closed = drive(phoneTicket(), [start, resolve, close]).ticket; // resolved at T0 + 2 min
  t.equal(reopenTicket(closed, ctxAt(T0 + 2 * MIN + 7 * 24 * H), 'back again').ticket.status, 'in-progress', 'exactly 7 days later: reopens');
  t.throws(() => reopenTicket(closed, ctxAt(T0 + 2 * MIN + 7 * 24 * H + 1), 'back again'), { code: 'FL_ERR_TICKET_INVALID_TRANSITION' }, 'later: a new ticket instead');
  t.throws(() => reopenTicket(closed, ctxAt(T0 + H), ''), { code: 'FL_ERR_TICKET_FIELD_REQUIRED' }, 'a reason is required');
});

t.test('manual tickets by phone, e-mail or chat have the same fields', async (t) => {
  const p = phoneTicket();
  t.match(p, {
    origin: 'phone', reporter: 'carol@plant-a', title: 'Press 4 makes a grinding noise', description: 'since the morning shift', site: 'plant-a',
    device: 'press-4', category: 'hardware', severity: 'minor', priority: 'P3', priorityReason: 'P3: minor severity', status: 'new', tier: 'L1',
    team: null, assignee: null, comments: [], resolution: null, satisfaction: null, reopenCount: 0, parentId: null, siteParent: false, openedAtMs: T0,
  });
  const fields = { origin: 'email' as const, reporter: 'x', title: 't', description: '', site: 's', device: '', category: 'software' as const, severity: 'info' as const };
  for (const missing of ['title', 'reporter', 'site'] as const) {
    t.throws(() => manualTicket({ ...fields, [missing]: ' ' }, T0), { code: 'FL_ERR_TICKET_FIELD_REQUIRED', context: { field: missing } }, `${missing} is required`);
  }
});

t.test('comments and satisfaction', async (t) => {
  const p = { ...phoneTicket(), assignee: 'bob' };
  const pub = addComment(p, ctxAt(T0 + MIN, bob), { text: 'A technician comes at 14:00', visibility: 'public' });
  t.match(pub.ticket.comments, [{ atMs: T0 + MIN, author: bob, text: 'A technician comes at 14:00', visibility: 'public' }]);
  t.same(pub.effects[0]?.recipients, [{ kind: 'reporter', id: 'carol@plant-a' }], 'a public comment reaches the reporter, not its own author');
  const internal = addComment(p, ctxAt(T0 + MIN, alice), { text: 'bearing kit in stock?', visibility: 'internal' });
  t.same(internal.effects[0]?.recipients, [{ kind: 'member', id: 'bob' }], 'an internal comment only the assignee');
  t.throws(() => addComment(p, ctxAt(T0), { text: '', visibility: 'internal' }), { code: 'FL_ERR_TICKET_FIELD_REQUIRED' });

  const resolved = drive(phoneTicket(), [start, resolve]).ticket;
  const carol = { kind: 'user' as const, id: 'carol@plant-a' };
  const rated = rateSatisfaction(resolved, ctxAt(T0 + H, carol), { score: 5, comment: 'quick' });
  t.match(rated.ticket.satisfaction, { score: 5, comment: 'quick', by: carol, atMs: T0 + H });
  t.match(rated.audit, [{ action: 'rate', from: null, to: '5' }]);
  const table: Array<[string, DeskTicket, number, string]> = [
    ['rate an open ticket', phoneTicket(), 4, 'FL_ERR_TICKET_INVALID_TRANSITION'],
    ['score 0', resolved, 0, 'FL_ERR_TICKET_RATING_INVALID'],
    ['score 6', resolved, 6, 'FL_ERR_TICKET_RATING_INVALID'],
    ['score 3.5', resolved, 3.5, 'FL_ERR_TICKET_RATING_INVALID'],
  ];
  for (const [name, ticket, score, code] of table) t.throws(() => rateSatisfaction(ticket, ctxAt(T0), { score }), { code }, name);
});
