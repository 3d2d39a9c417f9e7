/** The pure parts of users and roles: role order, the login throttle, session expiry, cookies, the route policy. */
import t from 'tap';
import { policyAllows, policyFor, ROUTE_ROLES } from '../../collector/api/route-roles.js';
import { parseCookies, serializeCookie } from '../../collector/core/access/cookies.js';
import { addressScope, LoginThrottle } from '../../collector/core/access/login-throttle.js';
import { isRole, roleAllows, ROLES } from '../../collector/core/access/roles.js';
import { DEFAULT_SESSION_POLICY, sessionEndsAt, sessionExpired, sessionNeedsTouch } from '../../collector/core/access/session-expiry.js';

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

const fail = (th: LoginThrottle, user: string, ip: string, atMs: number): boolean => th.reserve(user, ip, atMs).verdict.allowed;

t.test('login throttle, pair scope: 5 failures per username + address in 5 minutes, then refused until the oldest ages out', async (t) => {
  const th = new LoginThrottle();
  const t0 = 1_000_000;
  for (let i = 0; i < 5; i++) t.ok(fail(th, i % 2 ? 'Vic' : 'vic', '10.0.0.1', t0 + i * 1000), `attempt ${i + 1} (usernames are case-insensitive)`);
  t.same(th.reserve('vic', '10.0.0.1', t0 + 5000).verdict, { allowed: false, retryAfterMs: 300_000 - 5000, scope: 'pair' });
  t.ok(fail(th, 'vic', '10.0.0.2', t0 + 5000), 'another address may try');
  t.ok(fail(th, 'vic', '10.0.0.1', t0 + 300_000), 'the first failure aged out');
  t.notOk(fail(th, 'vic', '10.0.0.1', t0 + 300_001), 'five failures in the window again');
  t.match(th.counters(), { failures: 7, throttled: 2 });
});

t.test('login throttle: an attempt counts before the password is checked, and a success takes it back', async (t) => {
  const th = new LoginThrottle();
  // Five attempts in flight at once (none answered yet): the sixth is refused.
  const inFlight = Array.from({ length: 5 }, () => th.reserve('vic', '10.0.0.1', 0).reservation);
  t.notOk(fail(th, 'vic', '10.0.0.1', 0), 'a burst cannot outrun the password check');
  const first = inFlight[0];
  if (!first) throw new Error('reservation expected');
  th.succeeded(first);
  t.ok(fail(th, 'vic', '10.0.0.1', 1), 'a success clears the pair');
  t.match(th.counters(), { failures: 5, throttled: 1 });
});

t.test('login throttle, address and account scopes: spraying many usernames, or one account from many addresses', async (t) => {
  const policy = { maxFailures: 5, maxPerAddress: 20, maxPerAccount: 50, windowMs: 300_000, maxKeys: 1000 };
  const spray = new LoginThrottle(policy);
  for (let i = 0; i < 20; i++) t.ok(fail(spray, `user-${i}`, '198.51.100.7', i), `spray ${i}`);
  t.match(spray.reserve('someone-else', '198.51.100.7', 20).verdict, { allowed: false, scope: 'address' }, 'the 21st username from one address');
  t.ok(fail(spray, 'someone-else', '198.51.100.8', 20), 'another address is not affected');
  const v6 = new LoginThrottle(policy);
  for (let i = 0; i < 20; i++) fail(v6, `user-${i}`, `2001:db8:1:2::${i.toString(16)}`, i);
  t.match(v6.reserve('x', '2001:db8:1:2:ffff::1', 20).verdict, { allowed: false, scope: 'address' }, 'IPv6 addresses count by their /64');
  t.ok(fail(v6, 'x', '2001:db8:1:3::1', 20), 'another /64 is not affected');

  const distributed = new LoginThrottle(policy);
  for (let i = 0; i < 50; i++) fail(distributed, 'root', `203.0.113.${i}`, i);
  t.match(distributed.reserve('root', '203.0.113.200', 50).verdict, { allowed: false, scope: 'account' }, 'one account from 50 addresses');
});

t.test('addressScope: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64', async (t) => {
  for (const [address, scope] of [
    ['10.0.0.1', '10.0.0.1'], ['::ffff:10.0.0.1', '10.0.0.1'], ['2001:db8:0:1::5', '2001:db8:0:1::/64'],
    ['2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'], ['::1', '0:0:0:0::/64'], ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ] as const) t.equal(addressScope(address), scope, address);
});

t.test('login throttle forgets the least recently failed keys beyond its bound', async (t) => {
  const th = new LoginThrottle({ maxFailures: 1, maxPerAddress: 100, maxPerAccount: 100, windowMs: 60_000, maxKeys: 3 });
  for (const user of ['a', 'b', 'c', 'd']) fail(th, user, 'ip', 0);
  t.equal(th.counters().trackedKeys, 3);
  t.ok(fail(th, 'a', 'ip', 1), 'the oldest was forgotten');
  t.notOk(fail(th, 'd', 'ip', 1));
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
  for (const [key, policy] of Object.entries(ROUTE_ROLES)) t.match(`${key} ${policy}`, /^(GET|POST|PUT|PATCH|DELETE) \/(api\/\S+|metrics|ack\/:token) (public|viewer|operator|engineer|admin)$/);
});
