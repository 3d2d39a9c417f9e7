/** The pure parts of users and roles: role order, the login throttle, session expiry, cookies, the route policy. */
import t from 'tap';
import { policyAllows, policyFor, ROUTE_ROLES } from '../../collector/api/route-roles.js';
import { parseCookies, serializeCookie } from '../../collector/core/cookies.js';
import { LoginThrottle, throttleKey } from '../../collector/core/login-throttle.js';
import { isRole, roleAllows, ROLES } from '../../collector/core/roles.js';
import { DEFAULT_SESSION_POLICY, sessionEndsAt, sessionExpired, sessionNeedsTouch } from '../../collector/core/session-expiry.js';

const H = 3_600_000;

t.test('roles: viewer < operator < engineer < admin', async (t) => {
  t.same(ROLES, ['viewer', 'operator', 'engineer', 'admin']);
  for (const [i, role] of ROLES.entries()) {
    for (const [j, minimum] of ROLES.entries()) t.equal(roleAllows(role, minimum), i >= j, `${role} vs ${minimum}`);
  }
  t.ok(isRole('engineer'));
  t.notOk(isRole('root'));
  t.notOk(isRole('toString'), 'no prototype keys');
  t.notOk(isRole(undefined));
});

t.test('login throttle: 5 failures per key in 5 minutes, then refused until the oldest ages out', async (t) => {
  const th = new LoginThrottle();
  const key = throttleKey('Vic', '10.0.0.1');
  t.equal(key, throttleKey('vic', '10.0.0.1'), 'usernames are case-insensitive');
  const t0 = 1_000_000;
  for (let i = 0; i < 5; i++) {
    t.same(th.check(key, t0 + i * 1000), { allowed: true });
    th.recordFailure(key, t0 + i * 1000);
  }
  t.same(th.check(key, t0 + 5000), { allowed: false, retryAfterMs: 300_000 - 5000 });
  t.same(th.check(throttleKey('vic', '10.0.0.2'), t0 + 5000), { allowed: true }, 'per address');
  t.same(th.check(key, t0 + 300_000), { allowed: true }, 'the first failure aged out');
  th.recordFailure(key, t0 + 300_000);
  t.equal(th.check(key, t0 + 300_001).allowed, false, 'five failures in the window again');
  th.recordSuccess(key);
  t.same(th.check(key, t0 + 300_002), { allowed: true }, 'a success clears the key');
  t.match(th.counters(), { failures: 6, throttled: 2, trackedKeys: 0 });
});

t.test('login throttle forgets the oldest keys beyond its bound', async (t) => {
  const th = new LoginThrottle({ maxFailures: 1, windowMs: 60_000, maxKeys: 3 });
  for (const user of ['a', 'b', 'c', 'd']) th.recordFailure(throttleKey(user, 'ip'), 0);
  t.equal(th.counters().trackedKeys, 3);
  t.same(th.check(throttleKey('a', 'ip'), 1), { allowed: true }, 'the oldest was forgotten');
  t.equal(th.check(throttleKey('d', 'ip'), 1).allowed, false);
});

t.test('sessions: 12 h idle, 7 days absolute, last-seen written at most once a minute', async (t) => {
  const created = 0;
  t.equal(sessionEndsAt({ createdMs: created, lastSeenMs: created }), 12 * H);
  t.notOk(sessionExpired({ createdMs: created, lastSeenMs: 0 }, 12 * H - 1));
  t.ok(sessionExpired({ createdMs: created, lastSeenMs: 0 }, 12 * H));
  t.equal(sessionEndsAt({ createdMs: created, lastSeenMs: 7 * 24 * H - H }), 7 * 24 * H, 'capped by the absolute lifetime');
  t.ok(sessionExpired({ createdMs: created, lastSeenMs: 7 * 24 * H - 1 }, 7 * 24 * H));
  t.notOk(sessionNeedsTouch({ createdMs: 0, lastSeenMs: 0 }, 59_999));
  t.ok(sessionNeedsTouch({ createdMs: 0, lastSeenMs: 0 }, DEFAULT_SESSION_POLICY.touchEveryMs));
});

t.test('cookies: parse and serialise', async (t) => {
  t.same([...parseCookies('a=1; fl_session=abc%2Fdef; b="quoted"; a=2; broken; =x; bad=%E0%A4%A')], [['a', '1'], ['fl_session', 'abc/def'], ['b', 'quoted']]);
  t.same([...parseCookies(undefined)], []);
  t.equal(serializeCookie('fl_session', 'a/b', { path: '/', maxAgeS: 60.7, httpOnly: true, secure: true, sameSite: 'Strict' }),
    'fl_session=a%2Fb; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict');
  t.equal(serializeCookie('x', '', { maxAgeS: 0, expires: new Date(0) }), 'x=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  t.throws(() => serializeCookie('bad name', 'v'));
});

t.test('route policy: the table, HEAD as GET, the static and /api/admin rules', async (t) => {
  t.equal(policyFor('GET', '/api/health'), 'public');
  t.equal(policyFor('HEAD', '/api/health'), 'public');
  t.equal(policyFor('POST', '/api/auth/login'), 'public');
  t.equal(policyFor('POST', '/api/alarms/:id/ack'), 'operator');
  t.equal(policyFor('POST', '/api/alarms/shelve'), 'operator', 'bulk like single');
  t.equal(policyFor('POST', '/api/alarms/:id/suppress'), 'engineer');
  t.equal(policyFor('POST', '/api/tickets/:id/comments'), 'operator');
  t.equal(policyFor('POST', '/api/tickets/:id/resolve'), 'engineer');
  t.equal(policyFor('GET', '/'), 'public', 'the dashboard');
  t.equal(policyFor('GET', '/*'), 'public');
  t.equal(policyFor('POST', '/upload'), undefined, 'only GET/HEAD outside /api are public by rule');
  t.equal(policyFor('POST', '/api/admin/anything/new'), 'admin');
  t.equal(policyFor('GET', '/api/something-new'), undefined, 'an unknown API route has no policy');
  t.equal(policyFor('GET', '/apinotapi'), 'public');
  t.ok(policyAllows('public', null));
  t.notOk(policyAllows('viewer', null));
  t.ok(policyAllows('operator', 'engineer'));
  t.notOk(policyAllows('admin', 'engineer'));
  for (const [key, policy] of Object.entries(ROUTE_ROLES)) t.match(`${key} ${policy}`, /^(GET|POST|PUT|PATCH|DELETE) \/api\/\S+ (public|viewer|operator|engineer|admin)$/);
});
