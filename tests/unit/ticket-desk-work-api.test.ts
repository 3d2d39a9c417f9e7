/**
 * Working tickets like a desk (#16): take a ticket, bulk acknowledge / assign / close (each ticket
 * audited on its own, a ticket the action does not fit reported and the rest done), waiting on the
 * customer pausing the resolution clock and un-waiting resuming it, and the viewer refused.
 */
import type { InjectOptions } from 'fastify';
import t from 'tap';
import type { Role } from '../../collector/core/access/roles.js';
import { apiCaller, type TestCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { deskHarness, MIN, T0 } from '../helpers/desk-harness.js';

type Body = Record<string, unknown> & { error?: { code: string } };

t.test('take, bulk actions and the paused clock through the API', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  const people: Array<[string, Role]> = [['omar', 'engineer'], ['lena', 'engineer'], ['nina', 'engineer'], ['vera', 'viewer'], ['admin', 'admin']];
  const callers = new Map<string, TestCaller>();
  for (const [name, role] of people) callers.set(name, await apiCaller(h.store, role, name));
  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ status: number; body: Body }> => {
    const o: InjectOptions = { method, url, headers: callers.get(as)?.headers ?? {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) };
    const res = await app.inject(o);
    return { status: res.statusCode, body: res.json() };
  };
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await call('admin', 'POST', '/api/tickets', { origin: 'phone', reporter: 'carol', title: `call ${i}`, site: 'plant-a', category: 'hardware', severity: 'minor' });
    t.equal(r.status, 201);
    ids.push(r.body.id as number);
  }
  const audit = (id: number, action: string) => {
    const number = `TS-20240305-000${id}`;
    return h.store.repo.audit.list({ subject: number, limit: 50 }).filter((r) => r.action === action);
  };

  const taken = await call('omar', 'POST', `/api/tickets/${ids[0]}/take`, {});
  t.match(taken, { status: 200, body: { assignee: 'omar', team: 'drives', tier: 'L2' } }, 'omar takes it, at his own tier');
  t.match(audit(ids[0] ?? 0, 'assign').at(-1), { actor: { id: 'omar' } }, 'the take is audited as omar');
  t.match(await call('nina', 'POST', `/api/tickets/${ids[1]}/take`, {}), { status: 400, body: { error: { code: 'FL_ERR_DESK_UNKNOWN_MEMBER' } } },
    'someone on no team cannot take a ticket');
  t.match(await call('vera', 'POST', `/api/tickets/${ids[1]}/take`, {}), { status: 403 }, 'a viewer cannot take');

  const acked = await call('lena', 'POST', '/api/tickets/bulk/ack', { ids: [...ids, 999] });
  t.equal(acked.status, 200);
  t.equal((acked.body.changed as unknown[]).length, 3, 'three acknowledged');
  t.match(acked.body.failures, [{ id: 999, code: 'FL_ERR_API_NOT_FOUND' }]);
  for (const id of ids) t.match(audit(id, 'acknowledge'), [{ actor: { id: 'lena' } }], `ticket ${id}: its own audit record`);
  const again = await call('lena', 'POST', '/api/tickets/bulk/ack', { ids });
  t.equal((again.body.failures as unknown[]).length, 3, 'acknowledging again does not fit any of them');

  const assigned = await call('lena', 'POST', '/api/tickets/bulk/assign', { ids: ids.slice(1), assignee: 'lars', reason: 'firmware' });
  t.match(assigned.body, { changed: [{ assignee: 'lars' }, { assignee: 'lars' }], failures: [] });
  t.equal(audit(ids[2] ?? 0, 'assign').filter((r) => r.actor.id === 'lena').length, 1, 'the bulk assign: one audit record for the ticket, as lena');

  h.clock.now = T0 + 10 * MIN;
  const wait = await call('lena', 'POST', `/api/tickets/${ids[1]}/wait`, { reason: 'asked for a photo' });
  t.match(wait.body, { status: 'waiting-on-customer', sla: { resolution: { state: 'paused', dueMs: null } } }, 'waiting pauses the resolution clock');
  const elapsed = (wait.body.sla as { resolution: { elapsedMs: number } }).resolution.elapsedMs;
  h.clock.now = T0 + 70 * MIN;
  const still = await call('lena', 'GET', `/api/tickets/${ids[1]}`);
  t.equal((still.body.sla as { resolution: { elapsedMs: number } }).resolution.elapsedMs, elapsed, 'an hour of waiting does not count');
  const resumed = await call('lena', 'POST', `/api/tickets/${ids[1]}/resume`, {});
  t.match(resumed.body, { status: 'in-progress', sla: { resolution: { state: 'running' } } }, 'un-waiting resumes the clock');

  const closed = await call('lena', 'POST', '/api/tickets/bulk/close', { ids, reason: 'end of shift' });
  t.match(closed.body, { changed: [], failures: [{ code: 'FL_ERR_TICKET_INVALID_TRANSITION' }, {}, {}] }, 'an unresolved ticket does not close');
  t.match(await call('vera', 'POST', '/api/tickets/bulk/ack', { ids }), { status: 403 }, 'a viewer cannot act in bulk');
  t.match(await call('lena', 'POST', '/api/tickets/bulk/ack', { ids: [] }), { status: 400, body: { error: { code: 'FL_ERR_API_BAD_REQUEST' } } });
});

t.test('saved views of the ticket table are each user\'s own, kept on the server', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  const vera = await apiCaller(h.store, 'viewer', 'vera');
  const lena = await apiCaller(h.store, 'engineer', 'lena');
  const call = async (who: TestCaller, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body === '' ? null : res.json() as Record<string, unknown> };
  };
  t.match(await call(vera, 'PUT', '/api/ticket-views/P1%20today', { settings: { priority: 'P1', scope: 'open', sort: 'opened', dir: 'asc' } }),
    { status: 200, body: { name: 'P1 today', settings: { priority: 'P1', scope: 'open' } } }, 'a viewer saves a view');
  t.match(await call(vera, 'GET', '/api/ticket-views'), { status: 200, body: { views: [{ name: 'P1 today', settings: { sort: 'opened', dir: 'asc' } }] } });
  t.same((await call(lena, 'GET', '/api/ticket-views')).body, { views: [] }, 'another user does not see it');
  t.match(await call(vera, 'PUT', '/api/ticket-views/x', { settings: { colour: 'red' } }), { status: 400, body: { error: { code: 'FL_ERR_API_BAD_REQUEST' } } },
    'only the table\'s filter and sort fields');
  t.match(await call(lena, 'DELETE', '/api/ticket-views/P1%20today'), { status: 404 }, 'nobody deletes another\'s view');
  t.equal((await call(vera, 'DELETE', '/api/ticket-views/P1%20today')).status, 204);
  t.same((await call(vera, 'GET', '/api/ticket-views')).body, { views: [] });
});
