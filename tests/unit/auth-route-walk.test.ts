/**
 * The route walk: the full API (every route the collector registers) over a real socket, every
 * route × anonymous and each role. Anonymous gets 401 on every non-public route; a role gets 403
 * exactly when it is below the route's policy, and never 401/403 otherwise (an empty body may
 * well be 400 or 404: that is past the auth layer). Also: a route without a policy entry stops
 * the app from starting.
 *
 * The expected answers come from the README (its role order and its table of the lowest role per
 * route, tests/helpers/readme-roles.ts), never from the code under test (route-roles.ts, roleAllows):
 * a role given the next role's rights, or a route's policy changed in the code alone, turns it red.
 */
import Fastify from 'fastify';
import t from 'tap';
import { installAuth } from '../../collector/api/auth-hooks.js';
import { ROUTE_ROLES } from '../../collector/api/route-roles.js';
import { LoginThrottle } from '../../collector/core/access/login-throttle.js';
import { ROLES, type Role } from '../../collector/core/access/roles.js';
import { KnowledgeService } from '../../collector/knowledge/knowledge-service.js';
import type { DeviceRpc, RpcAnswer } from '../../collector/rpc/device-rpc.js';
import { DeviceProvisioning } from '../../collector/security/device-provisioning.js';
import { apiCaller, type TestCaller } from '../helpers/api-auth.js';
import { birth, deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import { readmeAllows, readmeRoleOrder, readmeRoutePolicies } from '../helpers/readme-roles.js';
import { deskApi } from '../helpers/desk-api.js';

const fakeRpc: DeviceRpc = {
  request: async (): Promise<RpcAnswer> => ({ response: { id: 'x', ok: true, values: [] }, requestedAtMs: 1, answeredAtMs: 2 }),
  isConnected: () => true,
};

/** A concrete URL for a route pattern: ids that mostly do not exist, so nothing is deleted. */
function concrete(url: string): string {
  return url
    .replace(':site', 'plant-a').replace(':device', 'drive-1')
    .replace(':username', 'ghost').replace(/:id\b/, '999999')
    .replace(/:[A-Za-z]+/g, 'x').replace('*', 'walk/x');
}

t.test('every route × anonymous and every role', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h, {
    knowledge: new KnowledgeService(h.store.knowledge),
    devices: { rpc: fakeRpc, provisioning: new DeviceProvisioning(h.store) },
  });
  await h.commit(birth(), fault('raise', T0));
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  const callers = new Map<Role, TestCaller>();
  for (const role of ROLES) callers.set(role, await apiCaller(h.store, role, `walk-${role}`));

  const routes = app.routePolicies.filter((r) => r.method !== 'HEAD');
  t.ok(routes.length >= 60, `${routes.length} routes walked`);
  const unlisted = Object.keys(ROUTE_ROLES).filter((key) => !routes.some((r) => `${r.method} ${r.url}` === key));
  if (unlisted.length > 0) t.comment(`policy entries without a route in this app: ${unlisted.join(', ')}`);

  t.same(readmeRoleOrder(), [...ROLES], 'the README lists the same roles, lowest first');
  const expected = readmeRoutePolicies();
  const failures: string[] = [];
  const seen = new Map<number, number>();
  for (const route of routes) {
    // Outside /api/ the dashboard's files are public (README: "the dashboard's static files outside /api/ are public"),
    // unless the README's table lists the route (GET /metrics).
    const policy = expected[`${route.method} ${route.url}`] ?? (route.url.startsWith('/api/') ? undefined : 'public');
    if (policy === undefined) {
      failures.push(`${route.method} ${route.url} is not in the README's table of the lowest role per route`);
      continue;
    }
    const url = `${base}${concrete(route.url)}`;
    for (const role of [null, ...ROLES] as const) {
      const headers: Record<string, string> = role === null ? {} : { ...(callers.get(role)?.headers ?? {}) };
      const init: RequestInit = { method: route.method, headers };
      if (!['GET', 'HEAD', 'DELETE'].includes(route.method)) {
        headers['content-type'] = 'application/json';
        init.body = '{}';
      }
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      const status = res.status;
      seen.set(status, (seen.get(status) ?? 0) + 1);
      const who = role ?? 'anonymous';
      const label = `${route.method} ${route.url} as ${who} (README: ${policy}): ${status}`;
      if (policy === 'public') {
        if (status === 401 || status === 403) failures.push(label);
      } else if (role === null) {
        if (status !== 401) failures.push(label);
      } else if (readmeAllows(policy, role)) {
        if (status === 401 || status === 403) failures.push(label);
      } else if (status !== 403) {
        failures.push(label);
      }
    }
  }
  t.same(failures, [], 'every route answers as its policy says');
  t.comment(`statuses seen: ${JSON.stringify(Object.fromEntries(seen))}`);
  t.ok((seen.get(401) ?? 0) > 50 && (seen.get(403) ?? 0) > 50, 'both refusals actually happened');
  t.equal((await h.store.users.list()).length, ROLES.length, 'the walk deleted no user');
  t.equal((await fetch(`${base}/api/no-such-route`)).status, 401, 'an unknown API path past the dashboard catch-all still needs a caller');
  t.equal((await fetch(`${base}/api/no-such-route`, { headers: callers.get('viewer')?.headers ?? {} })).status, 404);
});

t.test('a route without a policy entry stops the app from starting', async (t) => {
  const h = await deskHarness(t);
  const app = Fastify();
  installAuth(app, { directory: h.store, throttle: new LoginThrottle(), now: () => T0 });
  await t.rejects(async () => {
    await app.register(async (child) => {
      child.post('/api/forgotten', async () => ({}));
    });
    await app.ready();
  }, { code: 'FL_ERR_API_ROUTE_UNPROTECTED', message: /POST \/api\/forgotten/ });
  await app.close().catch(() => undefined);

  const ok = Fastify();
  installAuth(ok, { directory: h.store, throttle: new LoginThrottle(), now: () => T0 });
  ok.get('/assets/app.js', async () => 'static: public by rule');
  ok.post('/api/admin/new-thing', async () => ({}));
  await ok.ready();
  t.match(ok.routePolicies, [{ method: 'GET', url: '/assets/app.js', policy: 'public' }, { method: 'HEAD', policy: 'public' }, { method: 'POST', url: '/api/admin/new-thing', policy: 'admin' }]);
  await ok.close();
});
