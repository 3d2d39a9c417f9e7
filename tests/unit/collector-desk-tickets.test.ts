/**
 * The service desk wired to the store, driven by a fake clock: a device fault becomes an alarm and a
 * routed, assigned ticket with SLA clocks; the scheduler fires breach warnings and escalations at
 * their exact instants; resolving needs a note; the device verifies the fix; a recurrence reopens.
 */
import t from 'tap';
import type { DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { birth, deskHarness, fault, H, MIN, T0, type DeskHarness } from '../helpers/desk-harness.js';

const engineer = (id: string) => ({ kind: 'user' as const, id });

function onlyTicket(h: DeskHarness): DeskTicket {
  const tickets = h.store.repo.tickets.list({ limit: 10 });
  if (tickets.length !== 1 || !tickets[0]) throw new Error(`expected one ticket, got ${tickets.length}`);
  return tickets[0];
}

const actions = (h: DeskHarness, subject: string): string[] => h.store.repo.audit.list({ subject, limit: 1000 }).map((r) => r.action);

t.test('a raised fault becomes an alarm and a routed, assigned ticket with running SLA clocks', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const [alarm] = h.store.repo.alarms.list({ limit: 10 });
  t.match(alarm, { alarm: { key: { site: 'plant-a', device: 'drive-1', code: 'vfd.overcurrent' }, active: true, acknowledged: false } });
  const ticket = onlyTicket(h);
  t.match(ticket, {
    number: 'TS-20240305-0001', status: 'new', origin: 'device', priority: 'P1', priorityReason: 'P1: critical severity on a criticality-B asset',
    team: 'drives', tier: 'L1', assignee: 'lena', requiredSkills: ['hardware'], faultActive: true,
    sla: { response: { startedMs: T0, targetMs: 15 * MIN, stoppedMs: null }, resolution: { targetMs: 4 * H } },
  });
  t.same(actions(h, ticket.number), ['open', 'route', 'assign', 'correlate'], 'opening, routing, assignment and the correlation decision are audited');
  const route = h.store.repo.audit.list({ subject: ticket.number, limit: 10 }).find((r) => r.action === 'route');
  t.match(route, { to: 'drives/L1', reason: /rule drives-hw matched/, details: { ruleId: 'drives-hw' } }, 'the routing decision says which rule and why');
  t.same(h.store.repo.webhooks.list({ limit: 10 }).map((d) => d.event).sort(), ['ticket.assigned', 'ticket.opened'], 'notifications queued as webhooks');
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + 0.75 * 15 * MIN, 'the one timer is set for the breach warning');
  t.equal((await h.store.queries.ticketEvents(ticket.id)).length, 1, 'the event is on the ticket timeline');
});

t.test('the breach warning fires exactly at 75% of the response target, through the scheduler', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const warnAt = T0 + 0.75 * 15 * MIN;
  t.equal(await h.desk.scheduler.runDue(warnAt - 1), 0, 'nothing is due a millisecond before');
  t.notOk(actions(h, 'TS-20240305-0001').includes('sla-warning'));
  t.equal(await h.desk.scheduler.runDue(warnAt), 1);
  const warning = h.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 100 }).find((r) => r.action === 'sla-warning');
  t.match(warning, { atMs: warnAt, reason: 'P1 75% of the response target used (target 15 min)', actor: { kind: 'system' } });
  t.ok(h.store.repo.webhooks.list({ limit: 10 }).some((d) => d.event === 'ticket.sla-warning'), 'the warning is notified');
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + 15 * MIN, 'next: the response deadline');
});

t.test('a ticket nobody acknowledges escalates L1 → L2 → L3, then alerts management', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  await h.desk.scheduler.runDue(T0 + 15 * MIN);
  t.match(onlyTicket(h), { tier: 'L2', assignee: 'omar', escalation: { count: 1, lastAtMs: T0 + 15 * MIN } });
  const records = h.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 100 });
  t.match(records.find((r) => r.action === 'escalate'), { from: 'L1', to: 'L2', atMs: T0 + 15 * MIN, reason: 'not acknowledged within 15 min at L1' });
  t.ok(records.some((r) => r.action === 'sla-breach' && r.atMs === T0 + 15 * MIN), 'the response breach is recorded at its instant');
  t.ok(h.store.repo.webhooks.list({ limit: 20 }).some((d) => d.event === 'ticket.escalated'));
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + 30 * MIN, 'each tier gets one more response target');
  await h.desk.scheduler.runDue(T0 + 30 * MIN);
  t.match(onlyTicket(h), { tier: 'L3', assignee: 'ute' });
  await h.desk.scheduler.runDue(T0 + 45 * MIN);
  t.equal(onlyTicket(h).escalation.managementNotifiedAtMs, T0 + 45 * MIN, 'past L3, management is alerted once');
  t.ok(actions(h, 'TS-20240305-0001').includes('management-alert'));
});

t.test('acknowledging stops the response clock and the escalation', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  h.clock.now = T0 + 5 * MIN;
  const acked = await h.desk.ticketAction({ number: 'TS-20240305-0001' }, { type: 'ack', note: 'on it' }, engineer('lena'));
  t.match(acked, { status: 'acknowledged', acknowledgedAtMs: T0 + 5 * MIN, sla: { response: { stoppedMs: T0 + 5 * MIN } } });
  t.match(h.store.repo.audit.list({ subject: acked.number, limit: 50 }).find((r) => r.action === 'acknowledge'), { actor: { kind: 'user', id: 'lena' }, reason: 'on it' });
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + 3 * H, 'next: the resolution warning at 75% of 4 h');
  await h.desk.scheduler.runDue(T0 + H);
  t.equal(onlyTicket(h).tier, 'L1', 'no escalation once acknowledged');
});

t.test('resolving needs a note; a device ticket closes only once its fault stayed cleared for the hold', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const ref = { number: 'TS-20240305-0001' };
  h.clock.now = T0 + 2 * MIN;
  await h.desk.ticketAction(ref, { type: 'ack' }, engineer('lena'));
  await t.rejects(h.desk.ticketAction(ref, { type: 'resolve' }, engineer('lena')), { code: 'FL_ERR_TICKET_RESOLUTION_REQUIRED' });
  await t.rejects(h.desk.ticketAction(ref, { type: 'resolve', cause: 'loose cable', action: '' }, engineer('lena')), { code: 'FL_ERR_TICKET_RESOLUTION_REQUIRED' });
  h.clock.now = T0 + 10 * MIN;
  const resolved = await h.desk.ticketAction(ref, { type: 'resolve', cause: 'loose motor cable', action: 'tightened terminals', fix: 'permanent' }, engineer('lena'));
  t.match(resolved, { status: 'resolved', faultActive: true, resolution: { cause: 'loose motor cable', fix: 'permanent', by: { id: 'lena' } } });
  await t.rejects(h.desk.ticketAction(ref, { type: 'close' }, engineer('lena')), { code: 'FL_ERR_TICKET_FAULT_ACTIVE' }, 'nothing closes while the device shows the fault');

  h.clock.now = T0 + 20 * MIN;
  await h.commit(fault('clear', T0 + 20 * MIN));
  t.match(onlyTicket(h), { status: 'resolved', faultActive: false, faultClearSinceMs: T0 + 20 * MIN });
  const closeAt = T0 + 20 * MIN + 600_000;
  t.equal(await h.desk.scheduler.nextDueMs(), closeAt, 'the timer is set for the end of the hold');
  await h.desk.scheduler.runDue(closeAt - 1);
  t.equal(onlyTicket(h).status, 'resolved');
  await h.desk.scheduler.runDue(closeAt);
  t.match(onlyTicket(h), { status: 'closed', closedAtMs: closeAt });
  const close = h.store.repo.audit.list({ subject: ref.number, limit: 100 }).find((r) => r.action === 'close');
  t.match(close, { actor: { kind: 'device', id: 'plant-a/drive-1' }, reason: /device verified/ }, 'closed by the device');
  t.equal(await h.desk.scheduler.nextDueMs(), null, 'nothing left to time');
});

t.test('a fault that comes back reopens its ticket; after the reopen window it opens a new one', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const ref = { number: 'TS-20240305-0001' };
  await h.desk.ticketAction(ref, { type: 'resolve', cause: 'c', action: 'a', fix: 'workaround' }, engineer('lena'));
  await h.commit(fault('clear', T0 + MIN));
  h.clock.now = T0 + 5 * MIN;
  await h.commit(fault('raise', T0 + 5 * MIN));
  t.match(onlyTicket(h), { status: 'in-progress', reopenCount: 1, resolution: null, faultActive: true, occurrences: 2 });
  t.ok(actions(h, ref.number).includes('reopen'));

  h.clock.now = T0 + 6 * MIN;
  await h.desk.ticketAction(ref, { type: 'resolve', cause: 'c', action: 'a', fix: 'permanent' }, engineer('lena'));
  await h.commit(fault('clear', T0 + 6 * MIN));
  await h.desk.scheduler.runDue(T0 + 16 * MIN);
  t.equal(onlyTicket(h).status, 'closed', 'closed by the device after the hold');
  h.clock.now = T0 + 2 * H;
  await h.commit(fault('raise', T0 + 2 * H));
  t.match(onlyTicket(h), { status: 'in-progress', reopenCount: 2 }, 'a closed ticket within the window reopens too');

  await h.desk.ticketAction(ref, { type: 'resolve', cause: 'c', action: 'a', fix: 'permanent' }, engineer('lena'));
  await h.commit(fault('clear', T0 + 2 * H + 1));
  h.clock.now = T0 + 30 * H;
  await h.desk.scheduler.runDue(h.clock.now);
  await h.commit(fault('raise', T0 + 30 * H));
  const tickets = await h.store.queries.listTickets({ limit: 10 });
  t.same(tickets.map((x) => x.status), ['new', 'closed'], 'past the reopen window: a new ticket');
});

t.test('engineer actions: comment, rating, priority override, assignment, explicit escalation', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const ref = { number: 'TS-20240305-0001' };
  const c = await h.desk.ticketAction(ref, { type: 'comment', text: 'checked the cable', visibility: 'internal' }, engineer('lena'));
  t.match(c.comments, [{ text: 'checked the cable', author: { id: 'lena' } }]);
  t.match(await h.desk.ticketAction(ref, { type: 'priority', priority: 'P3', reason: 'spare drive running' }, engineer('lena')),
    { priority: 'P3', priorityOverride: { computed: 'P1', why: 'spare drive running' }, sla: { response: { targetMs: 4 * H } } });
  t.match(await h.desk.ticketAction(ref, { type: 'assign', assignee: 'lars', reason: 'knows this drive' }, engineer('lena')), { assignee: 'lars', tier: 'L1' });
  await t.rejects(h.desk.ticketAction(ref, { type: 'assign', assignee: 'nobody', reason: 'x' }, engineer('lena')), { code: 'FL_ERR_DESK_UNKNOWN_MEMBER' });
  t.match(await h.desk.ticketAction(ref, { type: 'escalate', reason: 'needs firmware know-how' }, engineer('lars')), { tier: 'L2', assignee: 'omar' });
  await t.rejects(h.desk.ticketAction(ref, { type: 'rate', score: 5 }, engineer('carol')), { code: 'FL_ERR_TICKET_INVALID_TRANSITION' }, 'rating waits for the resolution');
  await h.desk.ticketAction(ref, { type: 'resolve', cause: 'c', action: 'a', fix: 'permanent' }, engineer('omar'));
  t.match(await h.desk.ticketAction(ref, { type: 'rate', score: 4, comment: 'quick' }, engineer('carol')), { satisfaction: { score: 4, comment: 'quick' } });
  const reopened = await h.store.queries.getTicket(ref);
  t.equal(reopened?.comments.length, 1, 'comments are stored with the ticket');
});

t.test('a manual ticket is routed and assigned like a device ticket', async (t) => {
  const h = await deskHarness(t);
  const ticket = await h.desk.openManualTicket({
    origin: 'phone', reporter: 'carol@plant-a', title: 'Press 4 grinds', description: 'since the morning shift', site: 'plant-a',
    device: '', category: 'hardware', severity: 'minor',
  }, engineer('dispatcher'));
  t.match(ticket, { origin: 'phone', reporter: 'carol@plant-a', priority: 'P3', team: 'drives', assignee: 'lena', code: '', faultActive: false });
  t.match(h.store.repo.audit.list({ subject: ticket.number, limit: 10 })[0], { action: 'open', actor: { id: 'dispatcher' } });
});

t.test('three devices at a site losing their link within the window get one site parent', async (t) => {
  const h = await deskHarness(t);
  const link = { category: 'link' as const, code: 'agent.modbus_comm_loss', severity: 'major' as const };
  for (const [i, device] of ['drive-1', 'drive-2', 'drive-3'].entries()) {
    h.clock.now = T0 + i * 10_000;
    await h.commit(fault('raise', h.clock.now, { ...link, device }));
  }
  const tickets = await h.store.queries.listTickets({ limit: 10 });
  const parent = tickets.find((x) => x.siteParent);
  t.ok(parent, 'a site parent was opened');
  t.match(parent, { code: 'site.link', device: '', title: 'Site plant-a: 3 devices lost link', priority: 'P1' }, 'scope raises the priority');
  t.same(tickets.filter((x) => !x.siteParent).map((x) => x.parentId), [parent?.id, parent?.id, parent?.id], 'the three device tickets are its children');
  h.clock.now = T0 + 60_000;
  await h.commit(fault('raise', h.clock.now, { ...link, device: 'drive-4' }));
  t.equal((await h.store.queries.listTickets({ device: 'drive-4', limit: 1 }))[0]?.parentId, parent?.id, 'a later one joins the open parent');
});

t.test('timers survive a restart: the scheduler re-arms from the store', async (t) => {
  const first = await deskHarness(t);
  await first.commit(birth(), fault('raise', T0));
  const due = await first.desk.scheduler.nextDueMs();
  await first.close();
  const again = await deskHarness(t, undefined, { dataDir: first.dataDir, clock: first.clock });
  t.equal(await again.desk.scheduler.nextDueMs(), due);
  await again.desk.scheduler.runDue(T0 + 15 * MIN);
  t.equal(onlyTicket(again).tier, 'L2', 'and fires after the restart');
});

t.test('a desk failure on one event keeps the event and the rest of the batch', async (t) => {
  const h = await deskHarness(t);
  const byKey = h.store.repo.alarms.byKey;
  h.store.repo.alarms.byKey = (key) => {
    if (key.code === 'vfd.poison') throw new Error('boom');
    return byKey(key);
  };
  await h.commit(birth(), fault('raise', T0, { code: 'vfd.poison' }), fault('raise', T0));
  t.equal((await h.store.queries.counts()).events, 2, 'both events are stored');
  t.same((await h.store.queries.listTickets({ limit: 10 })).map((x) => x.code), ['vfd.overcurrent'], 'the failed event left no half-made desk state');
  t.same(h.desk.stats(), { eventsProcessed: 1, eventErrors: 1 });
});
