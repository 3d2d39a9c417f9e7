/**
 * Users, sessions, CSRF, API tokens and the login throttle through app.inject: login sets a
 * hardened cookie, cookie-authenticated writes need the CSRF token, bearer tokens are exempt,
 * failed logins are throttled, disabling a user or changing their password ends their sessions,
 * sessions expire, and no secret reaches the database in clear or the log at all.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { buildApi } from '../../collector/api/app.js';
import { parseTrustedProxies } from '../../collector/api/trusted-proxies.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { TEST_PASSWORD, TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const H = 3_600_000;
const ADMIN_PASSWORD = 'admin password 123';

interface Setup {
  app: FastifyInstance;
  store: SqliteStore;
  directory: SqliteStore;
  clock: { now: number };
  logs: () => string;
  inject: (o: InjectOptions) => Promise<LightMyRequestResponse & { body: string }>;
}

async function setup(t: Test, trustProxy?: string[]): Promise<Setup> {
  const dir = tempDir('faultline-auth-');
  const clock = { now: T0 };
  const store = openSqliteStore({ dataDir: dir.path, log: pino({ level: 'silent' }), nowMs: T0, users: TEST_USERS });
  let logText = '';
  const log = pino({ level: 'debug' }, { write: (s: string) => { logText += s; } });
  const counters = new IngestCounters();
  const app = await buildApi({
    store, log, now: () => clock.now, web: false, ...(trustProxy ? { trustProxy } : {}),
    health: { startedAtMs: T0, broker: () => ({ port: 1883, clients: 0 }), ingest: () => counters.snapshot() },
  });
  const directory = store;
  await directory.users.create({ username: 'Root', displayName: 'The Admin', role: 'admin', password: ADMIN_PASSWORD }, T0);
  await directory.users.create({ username: 'vic', role: 'viewer', password: TEST_PASSWORD }, T0);
  t.teardown(async () => { await app.close(); await store.close(); dir.remove(); });
  return { app, store, directory, clock, logs: () => logText, inject: (o) => app.inject(o) };
}

const login = (username: string, password: string, extra: Partial<InjectOptions> = {}): InjectOptions =>
  ({ method: 'POST', url: '/api/auth/login', payload: { username, password }, ...extra });

/** The session cookie's value from a Set-Cookie, and the cookie header to send it back. */
function sessionOf(res: LightMyRequestResponse): { id: string; cookie: string; csrf: string } {
  const set = String(res.headers['set-cookie'] ?? '');
  const id = /^fl_session=([^;]*)/.exec(set)?.[1] ?? '';
  return { id, cookie: `fl_session=${id}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
}

const errorCode = (res: LightMyRequestResponse): string => (res.json() as { error: { code: string } }).error.code;

t.test('login sets a hardened session cookie; /me answers with the user and the CSRF token', async (t) => {
  const { inject, logs, store } = await setup(t);
  const res = await inject(login('root', ADMIN_PASSWORD));
  t.equal(res.statusCode, 200);
  t.match(res.json(), { user: { username: 'root', displayName: 'The Admin', role: 'admin' }, csrfToken: /^[A-Za-z0-9_-]{43}$/ });
  const set = String(res.headers['set-cookie']);
  t.match(set, /^fl_session=[A-Za-z0-9_-]{43}; /, '32 random bytes');
  for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/']) t.ok(set.split('; ').includes(flag), flag);
  t.notOk(set.includes('Secure'), 'not Secure over plain http');
  const s = sessionOf(res);

  const me = await inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `other=1; ${s.cookie}` } });
  t.equal(me.statusCode, 200);
  t.same(me.json(), { user: { username: 'root', displayName: 'The Admin', role: 'admin' }, csrfToken: s.csrf });

  const https = await inject(login('ROOT', ADMIN_PASSWORD, { headers: { 'x-forwarded-proto': 'https' } }));
  t.equal(https.statusCode, 200, 'usernames are case-insensitive');
  t.ok(String(https.headers['set-cookie']).split('; ').includes('Secure'), 'Secure behind a TLS proxy');

  const wrong = await inject(login('root', 'not the password'));
  const unknown = await inject(login('nobody', 'not the password'));
  t.equal(wrong.statusCode, 401);
  t.equal(unknown.statusCode, 401);
  t.equal(errorCode(wrong), 'FL_ERR_AUTH_FAILED');
  t.same(wrong.json(), unknown.json(), 'the same answer for a wrong password and an unknown user');
  t.equal((await inject({ method: 'GET', url: '/api/auth/me' })).statusCode, 401);
  t.equal(errorCode(await inject({ method: 'GET', url: '/api/tickets' })), 'FL_ERR_AUTH_REQUIRED');
  t.equal((await inject({ method: 'GET', url: '/api/health' })).statusCode, 200, 'health stays public for probes');
  t.equal((await inject({ method: 'GET', url: '/api/no-such-route' })).statusCode, 401, 'unknown API paths need a caller too');

  const dump = JSON.stringify(store.db.prepare('SELECT * FROM sessions').all()) + JSON.stringify(store.db.prepare('SELECT * FROM users').all());
  t.notOk(dump.includes(s.id), 'the session id is not stored in clear');
  t.notOk(dump.includes(ADMIN_PASSWORD), 'nor the password');
  t.notOk(logs().includes(s.id) || logs().includes(ADMIN_PASSWORD) || logs().includes('not the password') || logs().includes(s.csrf), 'no secret in the log');
  t.match(logs(), /login failed/);
});

t.test('cookie-authenticated writes need X-CSRF-Token; bearer tokens are exempt', async (t) => {
  const { inject, store, logs } = await setup(t);
  const s = sessionOf(await inject(login('vic', TEST_PASSWORD)));
  const create = (headers: Record<string, string>) => inject({ method: 'POST', url: '/api/auth/tokens', payload: { name: 'script' }, headers });

  const none = await create({ cookie: s.cookie });
  t.equal(none.statusCode, 403);
  t.equal(errorCode(none), 'FL_ERR_CSRF');
  const wrong = `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}`; // one character off (never the real one)
  t.equal(errorCode(await create({ cookie: s.cookie, 'x-csrf-token': wrong })), 'FL_ERR_CSRF', 'a wrong token');
  t.equal((await inject({ method: 'GET', url: '/api/auth/tokens', headers: { cookie: s.cookie } })).statusCode, 200, 'reads need no CSRF token');

  const made = await create({ cookie: s.cookie, 'x-csrf-token': s.csrf });
  t.equal(made.statusCode, 201);
  const { token, tokenInfo } = made.json() as { token: string; tokenInfo: { id: number; name: string } };
  t.match(token, /^flt_[A-Za-z0-9_-]{43}$/);
  t.notOk(JSON.stringify(store.db.prepare('SELECT * FROM api_tokens').all()).includes(token), 'the token is stored only hashed');
  t.notOk(logs().includes(token), 'nor logged');

  const bearer = { authorization: `Bearer ${token}` };
  const me = await inject({ method: 'GET', url: '/api/auth/me', headers: bearer });
  t.same(me.json(), { user: { username: 'vic', displayName: 'vic', role: 'viewer' }, csrfToken: null });
  const minted = await create(bearer);
  t.equal(minted.statusCode, 403, 'a token cannot mint tokens (refused by that rule, not for a missing CSRF token)');
  t.match(minted.json(), { error: { code: 'FL_ERR_FORBIDDEN', message: /cannot create API tokens/ } });
  const list = await inject({ method: 'GET', url: '/api/auth/tokens', headers: bearer });
  t.match(list.json(), { tokens: [{ id: tokenInfo.id, name: 'script', lastUsedAtMs: T0 }] });
  t.equal((list.json() as { tokens: unknown[] }).tokens.length, 1);
  t.notOk(list.body.includes(token), 'a listing never shows a token');

  const forbidden = await inject({ method: 'GET', url: '/api/users', headers: bearer });
  t.equal(forbidden.statusCode, 403);
  t.match(forbidden.json(), { error: { code: 'FL_ERR_FORBIDDEN', requiredRole: 'admin' } });

  t.equal((await inject({ method: 'DELETE', url: `/api/auth/tokens/${tokenInfo.id}`, headers: bearer })).statusCode, 204, 'revoke itself');
  const gone = await inject({ method: 'GET', url: '/api/auth/me', headers: bearer });
  t.equal(gone.statusCode, 401);
  t.equal(errorCode(gone), 'FL_ERR_AUTH_REQUIRED');
  t.equal((await inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Basic dmljOng=' } })).statusCode, 401, 'only Bearer');
  t.equal((await inject({ method: 'DELETE', url: '/api/auth/tokens/999', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).statusCode, 404);
});

t.test('failed logins are throttled per username and address, with Retry-After; success clears it', async (t) => {
  const { inject, clock, app } = await setup(t);
  for (let i = 0; i < 5; i++) t.equal((await inject(login('vic', `wrong password ${i}`))).statusCode, 401);
  const throttled = await inject(login('vic', TEST_PASSWORD));
  t.equal(throttled.statusCode, 429, 'even the right password waits');
  t.equal(errorCode(throttled), 'FL_ERR_AUTH_THROTTLED');
  t.equal(throttled.headers['retry-after'], '300');
  t.match(throttled.json(), { error: { retryAfterS: 300 } });
  t.equal((await inject(login('vic', TEST_PASSWORD, { remoteAddress: '10.0.0.9' }))).statusCode, 200, 'another address is not throttled');
  t.equal((await inject(login('root', ADMIN_PASSWORD))).statusCode, 200, 'another user is not throttled');

  clock.now += 2 * 60_000;
  t.equal((await inject(login('vic', TEST_PASSWORD))).headers['retry-after'], '180');
  clock.now += 3 * 60_000;
  t.equal((await inject(login('vic', TEST_PASSWORD))).statusCode, 200, 'after the window');
  for (let i = 0; i < 4; i++) await inject(login('vic', 'wrong again'));
  t.equal((await inject(login('vic', TEST_PASSWORD))).statusCode, 200, 'the success cleared the earlier failures');
  t.match(app.authCounters(), { login: { failures: 9, throttled: 2 } }, 'failures and refusals are counted');
});

t.test('concurrent changes cannot leave no admin, nor create one name twice', async (t) => {
  const { directory } = await setup(t);
  await directory.users.create({ username: 'ada', role: 'admin', password: ADMIN_PASSWORD }, T0);
  // Both pass the first check, then hash a password; only one may go through.
  const outcomes = await Promise.allSettled([
    directory.users.update('root', { role: 'engineer', password: 'another password 1' }, T0),
    directory.users.update('ada', { disabled: true, password: 'another password 2' }, T0),
  ]);
  t.same(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  t.match(outcomes.find((o) => o.status === 'rejected'), { reason: { code: 'FL_ERR_USER_LAST_ADMIN' } });
  t.equal((await directory.users.list()).filter((u) => u.role === 'admin' && u.disabledMs === null).length, 1, 'one enabled admin is left');

  const creates = await Promise.allSettled([0, 1].map(() => directory.users.create({ username: 'twin', role: 'viewer', password: TEST_PASSWORD }, T0)));
  t.same(creates.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  t.match(creates.find((o) => o.status === 'rejected'), { reason: { code: 'FL_ERR_USER_EXISTS' } }, 'the second is told the name exists (not a 500)');
});

t.test('behind a trusted reverse proxy the throttle keys on the client X-Forwarded-For names, and only then', async (t) => {
  const fromClient = (ip: string): Partial<InjectOptions> => ({ remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': ip } });
  const trusted = await setup(t, ['10.1.1.0/24']);
  for (let i = 0; i < 5; i++) await trusted.inject(login('vic', 'wrong', fromClient('198.51.100.7')));
  t.equal((await trusted.inject(login('vic', TEST_PASSWORD, fromClient('198.51.100.7')))).statusCode, 429, 'the guessing client is throttled');
  t.equal((await trusted.inject(login('vic', TEST_PASSWORD, fromClient('198.51.100.8')))).statusCode, 200,
    'another client behind the same proxy is not');

  const untrusted = await setup(t);
  for (let i = 0; i < 5; i++) await untrusted.inject(login('vic', 'wrong', fromClient('198.51.100.7')));
  t.equal((await untrusted.inject(login('vic', TEST_PASSWORD, fromClient('198.51.100.8')))).statusCode, 429,
    'without --trust-proxy the header is ignored: every client of the proxy shares its address');
  const spoofer = await setup(t, ['10.9.9.9']);
  for (let i = 0; i < 5; i++) await spoofer.inject(login('vic', 'wrong', fromClient(`203.0.113.${i}`)));
  t.equal((await spoofer.inject(login('vic', TEST_PASSWORD, fromClient('203.0.113.99')))).statusCode, 429,
    'a client that is not a trusted proxy cannot pick its address with the header');
});

t.test('--trust-proxy text: addresses and CIDR ranges, anything else refused with the entry named', async (t) => {
  t.same(parseTrustedProxies('127.0.0.1, 10.0.0.0/8,::1,fd00::/8'), ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  for (const [text, problem] of [['', /no address/], ['proxy.local', /"proxy.local" is not an IP/], ['10.0.0.0/33', /0-32/],
    ['::1/129', /0-128/], ['10.0.0.0/8/1', /not an IP/], ['10.0.0.0/x', /prefix length/]] as const) {
    t.throws(() => parseTrustedProxies(text), { code: 'FL_ERR_API_CONFIG', message: problem }, JSON.stringify(text));
  }
});

t.test('a request carrying two session cookies acts as nobody', async (t) => {
  const { inject } = await setup(t);
  const victim = sessionOf(await inject(login('vic', TEST_PASSWORD)));
  const planted = sessionOf(await inject(login('root', ADMIN_PASSWORD)));
  // As a browser sends them when another site on the domain planted one with a narrower path: that one first.
  const res = await inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${planted.cookie}; ${victim.cookie}` } });
  t.equal(res.statusCode, 401);
  t.match(res.json(), { error: { code: 'FL_ERR_AUTH_REQUIRED', message: /more than one fl_session cookie/ } });
  t.equal((await inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: victim.cookie } })).json().user.username, 'vic', 'one cookie works');
});

t.test('logout ends the session and clears the cookie', async (t) => {
  const { inject } = await setup(t);
  const s = sessionOf(await inject(login('vic', TEST_PASSWORD)));
  t.equal(errorCode(await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie } })), 'FL_ERR_CSRF', 'a live session needs the CSRF token to log out');
  const out = await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  t.equal(out.statusCode, 204);
  t.match(String(out.headers['set-cookie']), /^fl_session=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
  t.equal((await inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: s.cookie } })).statusCode, 401);
  t.equal((await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie } })).statusCode, 204, 'a stale cookie can always be cleared');
  t.equal((await inject({ method: 'POST', url: '/api/auth/logout' })).statusCode, 204);
});

t.test('sessions end after 12 h idle or 7 days in all', async (t) => {
  const { inject, clock } = await setup(t);
  const me = (cookie: string) => inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
  const idle = sessionOf(await inject(login('vic', TEST_PASSWORD)));
  clock.now += 11 * H;
  t.equal((await me(idle.cookie)).statusCode, 200, 'within the idle timeout');
  clock.now += 11 * H;
  t.equal((await me(idle.cookie)).statusCode, 200, 'the last request moved the idle clock');
  clock.now += 12 * H;
  const ended = await me(idle.cookie);
  t.equal(ended.statusCode, 401, 'idle for 12 h');
  t.match(String(ended.headers['set-cookie']), /^fl_session=; .*Max-Age=0/, 'the stale cookie is cleared');

  const busy = sessionOf(await inject(login('vic', TEST_PASSWORD)));
  const start = clock.now;
  while (clock.now < start + 7 * 24 * H - 6 * H) {
    clock.now += 6 * H;
    t.equal((await me(busy.cookie)).statusCode, 200);
  }
  clock.now = start + 7 * 24 * H;
  t.equal((await me(busy.cookie)).statusCode, 401, 'never longer than 7 days');
});

t.test('admins manage users; disabling or a new password ends sessions; the last admin stays', async (t) => {
  const { inject, directory } = await setup(t);
  const admin = sessionOf(await inject(login('root', ADMIN_PASSWORD)));
  const as = (method: InjectOptions['method'], url: string, payload?: Record<string, unknown>): InjectOptions => ({
    method, url, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf }, ...(payload ? { payload } : {}),
  });

  const created = await inject(as('POST', '/api/users', { username: 'Otto', displayName: 'Otto Operator', role: 'operator', password: 'otto password 1' }));
  t.equal(created.statusCode, 201);
  t.match(created.json(), { username: 'otto', displayName: 'Otto Operator', role: 'operator', disabled: false, lastLoginAtMs: null });
  t.notOk(created.body.includes('otto password 1') || created.body.includes('scrypt'));
  t.equal(errorCode(await inject(as('POST', '/api/users', { username: 'otto', role: 'viewer', password: 'otto password 1' }))), 'FL_ERR_USER_EXISTS');
  t.equal((await inject(as('POST', '/api/users', { username: 'x', role: 'viewer', password: 'short' }))).statusCode, 400);
  t.equal((await inject(as('POST', '/api/users', { username: 'x', role: 'root', password: 'long enough pw' }))).statusCode, 400);
  t.match((await inject(as('GET', '/api/users'))).json(), { users: [{ username: 'otto' }, { username: 'root' }, { username: 'vic' }] });

  const otto = sessionOf(await inject(login('otto', 'otto password 1')));
  const ottoToken = ((await inject(as('POST', '/api/users/otto/tokens', { name: 'console' }))).json() as { token: string }).token;
  const ottoMe = () => inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: otto.cookie } });
  const ottoBearer = () => inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${ottoToken}` } });
  t.equal((await ottoBearer()).statusCode, 200);
  t.match((await inject(as('GET', '/api/users/otto/tokens'))).json(), { tokens: [{ name: 'console' }] });

  t.match((await inject(as('PATCH', '/api/users/otto', { role: 'engineer', displayName: 'Otto E.' }))).json(), { role: 'engineer', displayName: 'Otto E.' });
  t.match((await ottoMe()).json(), { user: { role: 'engineer' } }, 'a role change applies to the live session');

  t.match((await inject(as('PATCH', '/api/users/otto', { disabled: true }))).json(), { disabled: true });
  t.equal((await ottoMe()).statusCode, 401, 'disabling ends the session');
  t.equal((await ottoBearer()).statusCode, 401, 'and stops the tokens');
  t.equal(errorCode(await inject(login('otto', 'otto password 1'))), 'FL_ERR_AUTH_FAILED', 'a disabled user cannot sign in');
  await inject(as('PATCH', '/api/users/otto', { disabled: false }));
  t.equal((await ottoBearer()).statusCode, 200, 'tokens work again once re-enabled');

  const again = sessionOf(await inject(login('otto', 'otto password 1')));
  await inject(as('PATCH', '/api/users/otto', { password: 'a brand new one' }));
  t.equal((await inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: again.cookie } })).statusCode, 401, 'a new password ends the sessions');
  t.equal((await inject(login('otto', 'otto password 1'))).statusCode, 401);
  t.equal((await inject(login('otto', 'a brand new one'))).statusCode, 200);

  t.equal(errorCode(await inject(as('PATCH', '/api/users/root', { role: 'engineer' }))), 'FL_ERR_USER_LAST_ADMIN');
  t.equal(errorCode(await inject(as('PATCH', '/api/users/root', { disabled: true }))), 'FL_ERR_USER_LAST_ADMIN');
  t.equal(errorCode(await inject(as('DELETE', '/api/users/root'))), 'FL_ERR_USER_LAST_ADMIN');
  t.equal((await inject(as('PATCH', '/api/users/ghost', { role: 'viewer' }))).statusCode, 404);
  t.equal((await inject(as('PATCH', '/api/users/otto', {}))).statusCode, 400, 'nothing to change');

  t.equal((await inject(as('DELETE', '/api/users/otto'))).statusCode, 204);
  t.equal((await ottoBearer()).statusCode, 401, 'the tokens went with the user');
  t.equal(await directory.users.byName('otto'), undefined);
  t.equal((await inject(as('DELETE', '/api/users/otto'))).statusCode, 404);
});
