/**
 * The service desk's HTTP routes through app.inject: every route answers with its schema, the actor
 * is the authenticated user, bad bodies are 400 with a stable code, and actions that do not fit the
 * current state are 409 with the desk's code.
 */
import { writeFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { birth, DESK_YAML, deskHarness, fault, MIN, T0, type DeskHarness } from '../helpers/desk-harness.js';
import { deskApi } from '../helpers/desk-api.js';
import { apiCaller, injectAs, type TestCaller } from '../helpers/api-auth.js';
import type { Role } from '../../collector/core/access/roles.js';

/** The parts of the JSON replies these tests read. */
type Body = Record<string, unknown> & {
  tickets: unknown[]; alarms: Array<{ id: number; code: string }>; changed: unknown[]; failures: unknown[]; records: unknown[];
  deliveries: unknown[]; openapi: string; paths: unknown;
};
interface Setup { h: DeskHarness; app: FastifyInstance; call: (o: InjectOptions) => Promise<{ status: number; body: Body }> }

async function setup(t: Test): Promise<Setup> {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  // Requests act as an admin unless post() names one of these users.
  injectAs(app, await apiCaller(h.store, 'admin'));
  const people: Array<[string, Role]> = [['lena', 'engineer'], ['omar', 'engineer'], ['carol', 'operator'], ['otto', 'operator'], ['admin', 'admin']];
  const callers = new Map<string, TestCaller>();
  for (const [name, role] of people) callers.set(name, await apiCaller(h.store, role, name));
  await h.commit(birth(), fault('raise', T0));
  const call = async (o: InjectOptions) => {
    const { [AS]: as, ...headers } = o.headers ?? {};
    const res = await app.inject({ ...o, headers: { ...headers, ...(typeof as === 'string' ? callers.get(as)?.headers : {}) } });
    return { status: res.statusCode, body: res.json() as Body };
  };
  return { h, app, call };
}

/** Names the test user a request acts as (call() swaps it for that user's API token). */
const AS = 'x-test-as';
const post = (url: string, payload: unknown = {}, user?: string): InjectOptions => ({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: user ? { [AS]: user } : {} });

t.test('ticket list and detail carry the desk fields and the SLA clocks as of now', async (t) => {
  const { call, h } = await setup(t);
  h.clock.now = T0 + 5 * MIN;
  const list = await call({ method: 'GET', url: '/api/tickets?assignee=lena&priority=P1' });
  t.equal(list.status, 200);
  t.match(list.body.tickets, [{
    number: 'TS-20240305-0001', team: 'drives', tier: 'L1', assignee: 'lena', origin: 'device', commentCount: 0,
    sla: { policyId: 'default', response: { state: 'running', elapsedMs: 5 * MIN, remainingMs: 10 * MIN, dueMs: T0 + 15 * MIN, warnAtMs: T0 + 11.25 * MIN, breached: false } },
  }]);
  const detail = await call({ method: 'GET', url: '/api/tickets/TS-20240305-0001' });
  t.match(detail.body, { comments: [], events: [{ transition: 'raise' }], requiredSkills: ['hardware'], escalation: { count: 0 } });
  t.equal((await call({ method: 'GET', url: '/api/tickets?team=nobody' })).body.tickets.length, 0);
  t.match((await call({ method: 'GET', url: '/api/health' })).body, { desk: { eventsProcessed: 1, eventErrors: 0, nextTimerMs: T0 + 11.25 * MIN } });
});

t.test('ticket actions through the API, the actor is the authenticated user', async (t) => {
  const { call, h } = await setup(t);
  const url = (action: string) => `/api/tickets/TS-20240305-0001/${action}`;
  const ack = await call(post(url('ack'), { note: 'looking' }, 'lena'));
  t.equal(ack.status, 200);
  t.match(ack.body, { status: 'acknowledged', acknowledgedAtMs: T0 });
  t.match(h.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 50 }).find((r) => r.action === 'acknowledge'), { actor: { kind: 'user', id: 'lena' } });
  t.match((await call({ method: 'POST', url: url('start') })).body, { status: 'in-progress' }, 'a POST without a body works');
  t.match((await call(post(url('wait'), { reason: 'asked for the motor plate photo' }))).body, { status: 'waiting-on-customer', sla: { resolution: { state: 'paused' } } });
  t.match((await call(post(url('resume')))).body, { status: 'in-progress' });
  t.match((await call(post(url('comments'), { text: 'cable looks worn', visibility: 'public' }, 'lena'))).body, { comments: [{ text: 'cable looks worn', visibility: 'public', author: { id: 'lena' } }] });
  t.match((await call(post(url('priority'), { priority: 'P2', reason: 'standby drive running' }, 'lena'))).body, { priority: 'P2', priorityOverride: { computed: 'P1' } });
  t.match((await call(post(url('assign'), { assignee: 'lars', reason: 'knows the firmware' }))).body, { assignee: 'lars' });
  t.match((await call(post(url('escalate'), { reason: 'needs L2' }))).body, { tier: 'L2', assignee: 'omar' });
  const noNote = await call(post(url('resolve'), { cause: 'worn cable' }));
  t.match(noNote, { status: 400, body: { error: { code: 'FL_ERR_TICKET_RESOLUTION_REQUIRED', hint: /fix|give/ } } }, 'resolving needs a note');
  t.match((await call(post(url('resolve'), { cause: 'worn cable', action: 'replaced the cable', fix: 'permanent' }, 'omar'))).body, { status: 'resolved', resolution: { by: { id: 'omar' } } });
  t.match(await call(post(url('close'))), { status: 409, body: { error: { code: 'FL_ERR_TICKET_FAULT_ACTIVE' } } }, 'not while the device shows the fault');
  t.match((await call(post(url('rating'), { score: 5, comment: 'fast' }, 'carol'))).body, { satisfaction: { score: 5 } });
  t.match((await call(post(url('reopen'), { reason: 'still tripping' }))).body, { status: 'in-progress', reopenCount: 1 });
  await h.commit(fault('clear', T0 + MIN));
  await call(post(url('resolve'), { cause: 'c', action: 'a', fix: 'workaround' }));
  t.match((await call(post(url('close'), { reason: 'confirmed by phone' }))).body, { status: 'closed' });
  t.match(await call(post(url('start'))), { status: 409, body: { error: { code: 'FL_ERR_TICKET_INVALID_TRANSITION' } } });
});

t.test('a manual ticket is opened through the API', async (t) => {
  const { call } = await setup(t);
  const res = await call(post('/api/tickets', {
    origin: 'email', reporter: 'carol@plant-a', title: 'Conveyor 2 stops at random', description: 'three times today', site: 'plant-a',
    category: 'operation', severity: 'major', labels: { line: '2' },
  }, 'dispatcher'));
  t.equal(res.status, 201);
  t.match(res.body, { origin: 'email', reporter: 'carol@plant-a', priority: 'P2', status: 'new', team: 'drives', labels: { line: '2' }, device: '' });
});

const badTicketRequests: Array<[string, InjectOptions, number, string]> = [
  ['manual ticket without a title', post('/api/tickets', { origin: 'phone', reporter: 'x', site: 'plant-a', category: 'hardware', severity: 'minor' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['manual ticket with an unknown field', post('/api/tickets', { origin: 'phone', reporter: 'x', title: 't', site: 'plant-a', category: 'hardware', severity: 'minor', colour: 'red' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['manual ticket from a fax', post('/api/tickets', { origin: 'fax', reporter: 'x', title: 't', site: 'plant-a', category: 'hardware', severity: 'minor' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['manual ticket with a blank title', post('/api/tickets', { origin: 'phone', reporter: 'x', title: ' ', site: 'plant-a', category: 'hardware', severity: 'minor' }), 400, 'FL_ERR_TICKET_FIELD_REQUIRED'],
  ['wait without a reason', post('/api/tickets/1/wait', {}), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['priority P5', post('/api/tickets/1/priority', { priority: 'P5', reason: 'x' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['rating 6', post('/api/tickets/1/rating', { score: 6 }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['rating before the resolution', post('/api/tickets/1/rating', { score: 4 }), 409, 'FL_ERR_TICKET_INVALID_TRANSITION'],
  ['resolve with an unknown fix kind', post('/api/tickets/1/resolve', { cause: 'c', action: 'a', fix: 'duct tape' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['assign to a stranger', post('/api/tickets/1/assign', { assignee: 'mallory', reason: 'x' }), 400, 'FL_ERR_DESK_UNKNOWN_MEMBER'],
  ['assign to an unknown team', post('/api/tickets/1/assign', { assignee: null, team: 'nobody', reason: 'x' }), 400, 'FL_ERR_DESK_UNKNOWN_TEAM'],
  ['comment without text', post('/api/tickets/1/comments', { visibility: 'internal' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['comment visible to the world', post('/api/tickets/1/comments', { text: 'x', visibility: 'world' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['an unknown ticket', post('/api/tickets/999/ack', {}), 404, 'FL_ERR_API_NOT_FOUND'],
  ['a malformed ticket id', post('/api/tickets/abc/ack', {}), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['an unknown action', post('/api/tickets/1/teleport', {}), 404, 'FL_ERR_API_NOT_FOUND'],
];

for (const [name, request, status, code] of badTicketRequests) {
  t.test(`refused: ${name} → ${status} ${code}`, async (t) => {
    const { call } = await setup(t);
    t.match(await call(request), { status, body: { error: { code, message: /\S/ } } });
  });
}

t.test('escalating past L3 is refused with its own code', async (t) => {
  const { call } = await setup(t);
  await call(post('/api/tickets/1/escalate', { reason: 'a' }));
  await call(post('/api/tickets/1/escalate', { reason: 'b' }));
  t.match(await call(post('/api/tickets/1/escalate', { reason: 'c' })), { status: 409, body: { error: { code: 'FL_ERR_ESCALATION_TOP_TIER' } } });
});

t.test('alarms: list with filters, one by id, the operator actions single and in bulk', async (t) => {
  const { call, h } = await setup(t);
  await h.commit(fault('raise', T0, { code: 'vfd.overvoltage', severity: 'major' }));
  const list = await call({ method: 'GET', url: '/api/alarms?state=active-unacknowledged&active=true' });
  t.equal(list.status, 200);
  t.equal(list.body.alarms.length, 2);
  const id = list.body.alarms.find((a) => a.code === 'vfd.overcurrent')?.id ?? 0;
  t.match((await call({ method: 'GET', url: `/api/alarms/${id}` })).body, { id, site: 'plant-a', state: 'active-unacknowledged', chattering: false });
  t.match((await call(post(`/api/alarms/${id}/ack`, { note: 'seen' }, 'otto'))).body, { state: 'active-acknowledged' });
  t.match(await call(post(`/api/alarms/${id}/ack`, {}, 'otto')), { status: 409, body: { error: { code: 'FL_ERR_ALARM_INVALID_TRANSITION' } } });
  t.match((await call(post(`/api/alarms/${id}/shelve`, { reason: 'nuisance', durationMinutes: 30 }, 'otto'))).body, { state: 'shelved', shelved: { untilMs: T0 + 30 * MIN, by: { id: 'otto' } } });
  t.match((await call(post(`/api/alarms/${id}/unshelve`, { reason: 'fixed' }))).body, { state: 'active-unacknowledged' });
  t.match((await call(post(`/api/alarms/${id}/suppress`, { reason: 'maintenance', untilMs: T0 + 60 * MIN }))).body, { state: 'suppressed-by-design', suppressed: { untilMs: T0 + 60 * MIN } });
  t.match((await call(post(`/api/alarms/${id}/unsuppress`, { reason: 'done' }))).body, { state: 'active-unacknowledged' });
  t.match((await call(post(`/api/alarms/${id}/out-of-service`, { reason: 'sensor swap' }))).body, { state: 'out-of-service' });
  t.match((await call(post(`/api/alarms/${id}/in-service`, { reason: 'back' }))).body, { state: 'active-unacknowledged' });
  const bulk = await call(post('/api/alarms/ack', { ids: [...list.body.alarms.map((a) => a.id), 999], note: 'page' }, 'otto'));
  t.equal(bulk.status, 200);
  t.equal(bulk.body.changed.length, 2);
  t.match(bulk.body.failures, [{ id: 999, code: 'FL_ERR_API_NOT_FOUND' }]);
  const shelved = await call(post('/api/alarms/shelve', { ids: [id], reason: 'storm', durationMinutes: 10 }));
  t.match(shelved.body, { changed: [{ id, state: 'shelved' }], failures: [] });
  t.match((await call({ method: 'GET', url: '/api/alarms/floods' })).body, { episodes: [] });
});

const badAlarmRequests: Array<[string, InjectOptions, number, string]> = [
  ['an unknown state filter', { method: 'GET', url: '/api/alarms?state=angry' }, 400, 'FL_ERR_API_BAD_REQUEST'],
  ['an unknown filter', { method: 'GET', url: '/api/alarms?colour=red' }, 400, 'FL_ERR_API_BAD_REQUEST'],
  ['an unknown alarm', { method: 'GET', url: '/api/alarms/999' }, 404, 'FL_ERR_API_NOT_FOUND'],
  ['shelve without a duration', post('/api/alarms/1/shelve', { reason: 'x' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['shelve for a day', post('/api/alarms/1/shelve', { reason: 'x', durationMinutes: 1440 }), 400, 'FL_ERR_ALARM_SHELVE_DURATION'],
  ['shelve with a blank reason', post('/api/alarms/1/shelve', { reason: '  ', durationMinutes: 5 }), 400, 'FL_ERR_ALARM_REASON_REQUIRED'],
  ['out of service without a reason', post('/api/alarms/1/out-of-service', {}), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['bulk without ids', post('/api/alarms/ack', { note: 'x' }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['bulk with an empty list', post('/api/alarms/ack', { ids: [] }), 400, 'FL_ERR_API_BAD_REQUEST'],
  ['an action on an unknown alarm', post('/api/alarms/999/ack', {}), 404, 'FL_ERR_API_NOT_FOUND'],
];

for (const [name, request, status, code] of badAlarmRequests) {
  t.test(`refused: ${name} → ${status} ${code}`, async (t) => {
    const { call } = await setup(t);
    t.match(await call(request), { status, body: { error: { code } } });
  });
}

t.test('audit trail and webhook deliveries are readable', async (t) => {
  const { call } = await setup(t);
  const audit = await call({ method: 'GET', url: '/api/audit?subject=TS-20240305-0001' });
  t.equal(audit.status, 200);
  t.match(audit.body.records, [{ action: 'open', hash: /^[0-9a-f]{64}$/ }, { action: 'route' }, { action: 'assign' }, { action: 'correlate' }]);
  t.ok((await call({ method: 'GET', url: '/api/audit' })).body.records.length >= 5, 'all subjects');
  t.match(await call({ method: 'GET', url: '/api/audit?limit=0' }), { status: 400, body: { error: { code: 'FL_ERR_API_BAD_REQUEST' } } });
  const deliveries = await call({ method: 'GET', url: '/api/webhooks/deliveries?status=pending&webhook=chat' });
  t.equal(deliveries.status, 200);
  t.match(deliveries.body.deliveries, [{ webhookId: 'chat', status: 'pending', attempts: [] }, { webhookId: 'chat' }]);
  t.match(await call({ method: 'GET', url: '/api/webhooks/deliveries?status=lost' }), { status: 400 });
});

t.test('config view with secrets redacted; reload takes a valid file and refuses an invalid one', async (t) => {
  const { call, h } = await setup(t);
  const view = await call({ method: 'GET', url: '/api/config' });
  t.equal(view.status, 200);
  t.match(view.body, { source: h.configFile, config: { routing: { defaultTeam: 'drives', rules: [{ id: 'drives-hw' }] }, webhooks: [{ id: 'chat', secret: '[redacted]' }] } });
  t.notMatch(JSON.stringify(view.body), /0123456789abcdef|token=abc/, 'neither the secret nor the URL token appears');

  writeFileSync(h.configFile, DESK_YAML.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: 30'));
  t.match(await call(post('/api/admin/reload-config', undefined, 'admin')), { status: 200, body: { reloaded: true, source: h.configFile } });
  t.equal(h.desk.settings().lifecycle.verifyClearMs, 30_000);
  t.match(h.store.repo.audit.list({ subject: 'config', limit: 5 }), [{ action: 'config-reload', actor: { kind: 'user', id: 'admin' } }], 'the reload is audited with who did it');

  writeFileSync(h.configFile, `${DESK_YAML}\nrouting:\n  defaultTeam: nobody\n`);
  const refused = await call(post('/api/admin/reload-config'));
  t.match(refused, { status: 400, body: { error: { code: /FL_ERR_CONFIG_(INVALID|YAML)/, problems: [/desk\.yaml:\d+/] } } });
  t.equal(h.desk.settings().lifecycle.verifyClearMs, 30_000, 'the config in use stays');
});

t.test('the OpenAPI document lists every route with its schemas', async (t) => {
  const { call, app } = await setup(t);
  const doc = await call({ method: 'GET', url: '/api/docs' });
  t.equal(doc.status, 200);
  t.equal(doc.body.openapi, '3.1.0');
  const paths = doc.body.paths as Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }> }>>;
  for (const p of ['/api/alarms', '/api/alarms/{id}/shelve', '/api/alarms/ack', '/api/tickets', '/api/tickets/{id}', '/api/tickets/{id}/resolve', '/api/audit', '/api/webhooks/deliveries', '/api/config', '/api/admin/reload-config', '/api/health', '/api/devices', '/api/docs']) {
    t.ok(paths[p], `${p} is documented`);
  }
  t.match(paths['/api/tickets/{id}/resolve']?.post, { requestBody: { content: { 'application/json': { schema: { properties: { cause: {}, action: {}, fix: {} } } } } }, responses: { 200: {}, 409: {} } });
  t.notOk(paths['/api/tickets/{id}/ack']?.post?.parameters?.some((p) => p.name === 'x-faultline-user'), 'the actor is no longer a header');
  let routes = 0;
  for (const [, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      routes++;
      t.ok(op.responses['200'] ?? op.responses['201'] ?? op.responses['204'], `${method} has a success schema`);
    }
  }
  t.ok(routes >= 30, `${routes} operations`);
  t.ok(app.hasRoute({ method: 'GET', url: '/api/docs' }));
});
