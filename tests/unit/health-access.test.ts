/**
 * Issue #15 item 3: /api/health tells strangers nothing. Without credentials it answers liveness
 * only; the details (broker, ingest, store, desk, security, device requests, live stream) need a
 * signed-in admin or an API token. Nothing a client sent comes back unbounded: a refused MQTT
 * user name of 100 KB is kept and shown clipped. Log lines built from such input are clipped too.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { loggerOptions } from '../../protocol/logger.js';
import { buildApi } from '../../collector/api/app.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { SecurityCounters } from '../../collector/security/security-counters.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { TEST_PASSWORD, TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const HUGE = 'u'.repeat(100_000);

async function setup(t: Test): Promise<{ app: FastifyInstance; tokenOf: (username: string) => string; security: SecurityCounters; ingest: IngestCounters }> {
  const dir = tempDir('faultline-health-');
  const store = openSqliteStore({ dataDir: dir.path, log: pino({ level: 'silent' }), nowMs: T0, users: TEST_USERS });
  const ingest = new IngestCounters();
  const security = new SecurityCounters();
  const app = await buildApi({
    store, log: pino({ level: 'silent' }), now: () => T0 + 5000, web: false,
    health: {
      startedAtMs: T0, broker: () => ({ port: 1883, clients: 3 }), ingest: () => ingest.snapshot(),
      security: async () => security.snapshot('required'),
    },
  });
  const directory = store;
  for (const [username, role] of [['ada', 'admin'], ['vic', 'viewer'], ['eng', 'engineer']] as const) {
    await directory.users.create({ username, role, password: TEST_PASSWORD }, T0);
  }
  t.teardown(async () => { await app.close(); await store.close(); dir.remove(); });
  const tokens = new Map<string, string>();
  for (const username of ['ada', 'vic', 'eng']) {
    const user = await directory.users.byName(username);
    if (!user) throw new Error(username);
    tokens.set(username, (await directory.tokens.create(user.id, 'monitoring', T0)).token);
  }
  const tokenOf = (username: string): string => tokens.get(username) ?? '';
  return { app, tokenOf, security, ingest };
}

async function sessionCookie(app: FastifyInstance, username: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } });
  return `fl_session=${/^fl_session=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1] ?? ''}`;
}

const health = async (app: FastifyInstance, headers: InjectOptions['headers'] = {}): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url: '/api/health', headers });

t.test('without credentials: liveness only, nothing about devices, topics, users or counters', async (t) => {
  const { app, security } = await setup(t);
  security.refusedOne({ timeMs: T0, reason: 'bad-credentials', username: 'mallory', clientId: 'plant-a/press-1', topic: 'fl/v1/plant-a/press-1/event', message: 'wrong password' });
  for (const headers of [{}, { authorization: 'Bearer not-a-token' }, { cookie: 'fl_session=stale' }]) {
    const res = await health(app, headers);
    t.equal(res.statusCode, 200, `a probe gets 200 (${JSON.stringify(headers)})`);
    t.same(Object.keys(res.json() as object).sort(), ['detail', 'status', 'uptimeS'], 'only liveness');
    t.match(res.json(), { status: 'ok', detail: 'liveness' });
    t.notMatch(res.body, /mallory|press-1|plant-a|fl\/v1/, 'no user name, device or topic');
  }
});

t.test('details for a signed-in admin and for an API token; a viewer\'s session gets liveness only', async (t) => {
  const { app, tokenOf, security } = await setup(t);
  security.refusedOne({ timeMs: T0, reason: 'bad-credentials', username: 'mallory', clientId: 'c1', topic: '', message: 'wrong password' });
  const admin = await health(app, { cookie: await sessionCookie(app, 'ada') });
  t.match(admin.json(), { status: 'ok', detail: 'full', broker: { clients: 3 }, security: { lastRefusals: [{ username: 'mallory' }] } });
  for (const user of ['vic', 'eng', 'ada']) {
    const viaToken = await health(app, { authorization: `Bearer ${tokenOf(user)}` });
    t.match(viaToken.json(), { detail: 'full', ingest: { eventsCommitted: 0 } }, `an API token of ${user} gets the details`);
  }
  const viewer = await health(app, { cookie: await sessionCookie(app, 'vic') });
  t.same(Object.keys(viewer.json() as object).sort(), ['detail', 'status', 'uptimeS'], 'a viewer signed in through the dashboard: liveness only');
});

t.test('what a client sent is never echoed unbounded: a 100 KB user name comes back clipped', async (t) => {
  const { app, tokenOf, security, ingest } = await setup(t);
  for (let i = 0; i < 25; i++) {
    security.refusedOne({ timeMs: T0, reason: 'bad-credentials', username: HUGE, clientId: HUGE, topic: HUGE, message: `wrong password for ${HUGE}` });
    ingest.badInput('wrongTopic', { timeMs: T0, code: 'FL_ERR_TOPIC', message: `bad topic ${HUGE}`, topic: HUGE });
  }
  const res = await health(app, { authorization: `Bearer ${tokenOf('ada')}` });
  t.equal(res.statusCode, 200);
  const body = res.json() as { security: { lastRefusals: { username: string; clientId: string; topic: string; message: string }[] }; ingest: { lastErrors: { topic: string; message: string }[] } };
  const first = body.security.lastRefusals[0];
  t.ok(first && first.username.length <= 200 && first.clientId.length <= 200 && first.topic.length <= 200 && first.message.length <= 300,
    `refusal fields clipped (username ${first?.username.length} chars)`);
  t.match(first?.username, /^u+…\(\+\d+ chars\)$/, 'the clip says how much was cut');
  const err = body.ingest.lastErrors[0];
  t.ok(err && err.topic.length <= 200 && err.message.length <= 300, `ingest error fields clipped (topic ${err?.topic.length} chars)`);
  t.ok(res.body.length < 40_000, `the whole answer stays small (${res.body.length} bytes for 25 refusals and errors of 100 KB each)`);
});

t.test('log lines built from untrusted input are clipped', async (t) => {
  let out = '';
  const log = pino(loggerOptions('test', 'info'), { write: (s: string) => { out += s; } });
  log.info({ username: HUGE, ip: '127.0.0.1', nested: { topic: HUGE } }, 'login failed');
  log.error({ err: new Error('boom') }, 'request failed');
  const [line, errLine] = out.trim().split('\n');
  t.ok(line && line.length < 1200, `a line with a 100 KB user name is ${line?.length} bytes`);
  t.match(JSON.parse(line ?? '{}'), { username: /^u+…\(\+\d+ chars\)$/, ip: '127.0.0.1', nested: { topic: /…/ }, msg: 'login failed' });
  t.match(JSON.parse(errLine ?? '{}'), { err: { message: 'boom', stack: /Error: boom/ } }, 'errors keep their stack');
});
