/**
 * What the ingest batch path keeps back or caches, checked against the store: the firmware a ticket
 * and its events were raised under, audit rows and timers written only once the batch commits (and
 * forgotten with a rollback), correlation served from the candidate cache, and the ticket list's
 * text exactly as the response schema would serialise it.
 */
import Fastify from 'fastify';
import t from 'tap';
import { ticketListBody, ticketSummary } from '../../collector/api/ticket-view.js';
import { TicketListJson, TicketStableJson } from '../../collector/api/ticket-schemas.js';
import { DEFAULT_CALENDARS } from '../../collector/core/desk/desk-context.js';
import { verifyAuditChain } from '../../collector/store/sqlite/audit-log.js';
import { ReportLoader } from '../../collector/store/sqlite/report-loader.js';
import { birth, deskHarness, fault, H, MIN, T0 } from '../helpers/desk-harness.js';

t.test('tickets and events keep the firmware the device ran when the fault came, after an upgrade too', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth());
  await h.commit(fault('raise', T0 + MIN));
  const upgraded = birth();
  if (upgraded.kind !== 'birth') throw new Error('birth expected');
  h.clock.now = T0 + 2 * MIN;
  await h.commit({ ...upgraded, receivedMs: h.clock.now, birth: { ...upgraded.birth, firmware: '3.0.0', sessionId: 's2', timeMs: h.clock.now } });
  await h.commit(fault('raise', T0 + 3 * MIN, { code: 'vfd.overvoltage' }));
  const rows = h.store.db.prepare('SELECT code, model, firmware FROM tickets ORDER BY id').all();
  t.same(rows, [
    { code: 'vfd.overcurrent', model: 'VFD-4000', firmware: '2.3.1' },
    { code: 'vfd.overvoltage', model: 'VFD-4000', firmware: '3.0.0' },
  ]);
  t.same(h.store.db.prepare('SELECT firmware FROM events ORDER BY seq').all(), [{ firmware: '2.3.1' }, { firmware: '3.0.0' }]);
  const report = new ReportLoader(h.store.db).load({ kind: 'custom', from: '2024-03-05', to: '2024-03-06', fromMs: T0 - H, toMs: T0 + H, timeZone: 'UTC' }, {});
  t.same(report.tickets.map((r) => [r.code, r.firmware]).sort(), [['vfd.overcurrent', '2.3.1'], ['vfd.overvoltage', '3.0.0']],
    'reports group by the firmware at the time, not the current one');
});

t.test('audit rows and timers of a batch are written before its commit, once, in order, and the chain verifies', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0), fault('raise', T0 + 1), fault('clear', T0 + 2), fault('raise', T0 + 3, { device: 'drive-2' }), fault('raise', T0 + 4));
  const check = verifyAuditChain(h.store.db);
  t.ok(check.ok, 'the chain verifies');
  const records = h.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 100 });
  const actions = records.map((r) => r.action);
  t.same(actions.slice(0, 2), ['open', 'route'], 'oldest first, in the order the desk decided them');
  t.same(records.filter((r) => r.action.startsWith('fault-')).map((r) => [r.action, r.from, r.to]), [['fault-clear', 'active', 'cleared'], ['fault-raise', 'cleared', 'active']],
    'the clear and the raise after it are state changes; the raise while already active is not (it is an occurrence on the timeline)');
  t.equal((await h.store.queries.ticketEvents(1)).length, 4, 'every event of the fault is on the ticket\'s timeline');
  t.ok(h.store.repo.timers.get('ticket', '1'), 'the ticket timer is stored');
  t.equal(h.store.db.inTransaction, false);
});

t.test('a rolled-back transaction leaves no audit row, timer or flood state behind', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth());
  const before = (h.store.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  await t.rejects(h.store.desk.transaction({}, ({ repo }) => {
    repo.audit.append([{ atMs: T0, actor: { kind: 'system', id: 'x' }, subject: { kind: 'routing', id: 'r' }, action: 'a', from: null, to: null, reason: 'r', details: {} }]);
    repo.timers.set('flood', 'plant-z', T0 + H);
    repo.alarms.saveFlood({ site: 'plant-z', recent: [T0], episode: null });
    throw new Error('boom');
  }), /boom/);
  t.equal((h.store.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, before);
  t.equal(h.store.repo.timers.get('flood', 'plant-z'), undefined);
  t.equal(h.store.repo.alarms.flood('plant-z'), undefined);
  // A savepoint that fails discards its own writes only.
  await h.store.desk.transaction({}, ({ repo, savepoint }) => {
    repo.timers.set('flood', 'plant-y', T0 + H);
    t.throws(() => savepoint(() => { repo.timers.set('flood', 'plant-x', T0 + H); throw new Error('inner'); }));
  });
  t.ok(h.store.repo.timers.get('flood', 'plant-y'));
  t.equal(h.store.repo.timers.get('flood', 'plant-x'), undefined);
  t.ok(verifyAuditChain(h.store.db).ok);
});

t.test('correlation sees tickets changed by actions while their fault key is cached', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  await h.commit(fault('raise', T0 + 1)); // an occurrence, served from the cache
  t.same(h.store.db.prepare('SELECT id, occurrences FROM tickets').all(), [{ id: 1, occurrences: 2 }]);
  await h.desk.ticketAction({ id: 1 }, { type: 'resolve', cause: 'c', action: 'a', fix: 'permanent' }, { kind: 'user', id: 'lena' });
  await h.commit(fault('clear', T0 + 2));
  h.clock.now = T0 + 20 * MIN;
  await h.desk.scheduler.runDue(h.clock.now);
  t.equal((h.store.db.prepare('SELECT status FROM tickets WHERE id = 1').get() as { status: string }).status, 'closed', 'closed after the verification hold');
  await h.commit(fault('raise', T0 + 21 * MIN));
  const rows = h.store.db.prepare('SELECT id, status, reopen_count FROM tickets ORDER BY id').all();
  t.match(rows, [{ id: 1, reopen_count: 1 }], 'the closed ticket is reopened within the window, not a new one opened');
  t.equal(rows.length, 1);
});

t.test('the ticket list text is what the response schema serialises', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0), fault('raise', T0 + 1, { code: 'vfd.overvoltage', labels: { line: '3', note: 'Überstrom – "quoted"' } }));
  // Clocks in every shape: running, stopped by a response, stopped by a resolution.
  h.clock.now = T0 + MIN;
  await h.desk.ticketAction({ id: 1 }, { type: 'ack' }, { kind: 'user', id: 'lena' });
  await h.desk.ticketAction({ id: 2 }, { type: 'resolve', cause: 'c', action: 'a', fix: 'workaround' }, { kind: 'user', id: 'lena' });
  const tickets = await h.store.queries.listTickets({ limit: 10 });
  const app = Fastify();
  let serializers: { stable: (v: TicketStableJson) => string; list: (v: TicketListJson) => string } | undefined;
  app.get('/x', async (_req, reply) => {
    serializers = {
      stable: reply.compileSerializationSchema(TicketStableJson, '200') as (v: TicketStableJson) => string,
      list: reply.compileSerializationSchema(TicketListJson, '200') as (v: TicketListJson) => string,
    };
    return {};
  });
  await app.inject('/x');
  if (!serializers) throw new Error('no serializers');
  const nowMs = T0 + 5 * MIN;
  const page = { total: 7, nextCursor: 'abc' };
  const expected = serializers.list({ tickets: tickets.map((tk) => ticketSummary(tk, DEFAULT_CALENDARS, nowMs)), ...page });
  t.equal(ticketListBody(tickets, DEFAULT_CALENDARS, nowMs, serializers, page).toString('utf8'), expected);
  t.equal(ticketListBody(tickets, DEFAULT_CALENDARS, nowMs, serializers, page).toString('utf8'), expected, 'again, from the cached bytes');
  t.equal(ticketListBody([], DEFAULT_CALENDARS, nowMs, serializers, { total: 0, nextCursor: null }).toString('utf8'), '{"tickets":[],"total":0,"nextCursor":null}');
  await app.close();
});

t.test('a site parent resolves and closes itself when its last child closes, and reopens with a child', async (t) => {
  const h = await deskHarness(t);
  const link = { category: 'link' as const, code: 'agent.modbus_comm_loss', severity: 'major' as const };
  const devices = ['drive-1', 'drive-2', 'drive-3'];
  for (const [i, device] of devices.entries()) {
    h.clock.now = T0 + i * 10_000;
    await h.commit(fault('raise', h.clock.now, { ...link, device }));
  }
  const parent = (await h.store.queries.listTickets({ limit: 10 })).find((x) => x.siteParent);
  if (!parent) throw new Error('no site parent');
  const children = (await h.store.queries.listTickets({ limit: 10 })).filter((x) => !x.siteParent);
  const lena = { kind: 'user' as const, id: 'lena' };
  for (const [i, child] of children.entries()) {
    await h.desk.ticketAction({ id: child.id }, { type: 'resolve', cause: 'switch', action: 'replaced the switch', fix: i === 0 ? 'workaround' : 'permanent' }, lena);
    h.clock.now = T0 + 5 * MIN;
    await h.commit(fault('clear', h.clock.now, { ...link, device: child.device }));
  }
  h.clock.now = T0 + 5 * MIN + 599_000;
  await h.desk.scheduler.runDue(h.clock.now);
  t.equal(h.store.repo.tickets.get(parent.id)?.status, 'new', 'not while the children wait for their verification hold');
  h.clock.now = T0 + 5 * MIN + 600_000;
  await h.desk.scheduler.runDue(h.clock.now);
  t.same(children.map((c) => h.store.repo.tickets.get(c.id)?.status), ['closed', 'closed', 'closed']);
  const closed = h.store.repo.tickets.get(parent.id);
  t.match(closed, { status: 'closed', resolution: { fix: 'workaround', action: 'all 3 child tickets closed', by: { kind: 'system' } } },
    'closed by the collector, the fix as permanent as its weakest child');
  const trail = h.store.repo.audit.list({ subject: parent.number, limit: 20 }).map((r) => r.action);
  t.ok(trail.includes('resolve') && trail.includes('close'), 'audited');
  h.clock.now = T0 + H;
  await h.commit(fault('raise', h.clock.now, { ...link, device: 'drive-2' }));
  t.equal(h.store.repo.tickets.get(parent.id)?.status, 'in-progress', 'the fault came back on a child: the parent reopens with it');
  t.ok(verifyAuditChain(h.store.db).ok);
});
