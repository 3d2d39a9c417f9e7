/**
 * #15.7: API tokens can be listed and revoked one by one, from the CLI and the API, and an admin
 * can revoke all of a user's tokens at once; every change is in the audit trail, and no listing
 * ever shows a token after its creation.
 */
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { buildApi } from '../../collector/api/app.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { userCommand } from '../../collector/users/cli.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');

async function cli(dataDir: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await userCommand([...argv, '--data-dir', dataDir], {
    stdout: { write: (s: string) => { out.stdout += s; } }, stderr: { write: (s: string) => { out.stderr += s; } },
  }, () => T0);
  return { code, ...out };
}

t.test('CLI: token list shows ids and names, never a token; revoke one; revoke --all; all audited', async (t) => {
  const dir = tempDir('faultline-tokcli-');
  t.teardown(dir.remove);
  t.equal((await cli(dir.path, ['add', 'bob', '--role', 'operator'])).code, 0);
  const minted: string[] = [];
  for (const name of ['grafana', 'wallboard', 'script']) {
    const r = await cli(dir.path, ['token', 'add', 'bob', '--name', name]);
    t.equal(r.code, 0, r.stderr);
    minted.push(/^(flt_\S+)$/m.exec(r.stdout)?.[1] ?? 'missing');
  }
  const listed = await cli(dir.path, ['token', 'list', 'bob']);
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /^1 +grafana +created 2024-03-05T10:00:00.000Z +never used\n2 +wallboard .*\n3 +script /);
  t.ok(minted.every((m) => !listed.stdout.includes(m) && !listed.stdout.includes(m.slice(4, 16))), 'no token, not even part of one');
  const json = JSON.parse((await cli(dir.path, ['token', 'list', 'bob', '--json'])).stdout) as { tokens: Array<{ id: number; name: string }> };
  t.same(json.tokens.map((x) => [x.id, x.name]), [[1, 'grafana'], [2, 'wallboard'], [3, 'script']]);

  const one = await cli(dir.path, ['token', 'revoke', 'bob', '2']);
  t.equal(one.code, 0, one.stderr);
  t.match(one.stdout, /API token 2 "wallboard" of bob revoked/);
  t.match((await cli(dir.path, ['token', 'revoke', 'bob', '2'])), { code: 1, stderr: /no API token 2/ }, 'a second revoke is a clear error');
  t.match((await cli(dir.path, ['token', 'revoke', 'bob'])), { code: 2, stderr: /give a token ID .* or --all/ });
  t.match((await cli(dir.path, ['token', 'revoke', 'bob', 'x1'])), { code: 2, stderr: /must be a number/ });

  const all = await cli(dir.path, ['token', 'revoke', 'bob', '--all']);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /2 API token\(s\) of bob revoked/);
  t.match(await cli(dir.path, ['token', 'list', 'bob']), { stdout: /bob has no API tokens/ });

  const store = openSqliteStore({ dataDir: dir.path, log: pino({ level: 'silent' }), nowMs: T0 });
  t.teardown(() => store.close());
  for (const m of minted) t.equal(await store.tokens.resolve(m, T0), undefined, 'revoked tokens stop working');
  const trail = await store.audit.list({ subject: 'bob', limit: 100 });
  t.same(trail.map((r) => r.action), ['token-create', 'token-create', 'token-create', 'token-revoke', 'token-revoke-all']);
  t.match(trail[3], { actor: { kind: 'system', id: 'cli' }, subject: { kind: 'user', id: 'bob' }, details: { tokenId: 2, tokenName: 'wallboard' } });
  t.match(trail[4], { details: { count: 2, tokenIds: '1,3', tokenNames: 'grafana,script' } });
  t.ok(minted.every((m) => !JSON.stringify(trail).includes(m)), 'the trail holds no token');
  t.ok((await store.audit.verify()).ok);
});

async function api(t: Test): Promise<{ store: SqliteStore; inject: ReturnType<typeof injector> }> {
  const dir = tempDir('faultline-tokapi-');
  const store = openSqliteStore({ dataDir: dir.path, log: pino({ level: 'silent' }), nowMs: T0, users: TEST_USERS });
  const counters = new IngestCounters();
  const app = await buildApi({
    store, log: pino({ level: 'silent' }), now: () => T0, web: false,
    health: { startedAtMs: T0, broker: () => ({ port: 1883, clients: 0 }), ingest: () => counters.snapshot() },
  });
  t.teardown(async () => { await app.close(); await store.close(); dir.remove(); });
  return { store, inject: injector(app) };
}

function injector(app: Awaited<ReturnType<typeof buildApi>>) {
  return async (method: 'GET' | 'POST' | 'DELETE', url: string, bearer: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body, json: () => res.json() as unknown };
  };
}

t.test('API: an admin lists, revokes one and revokes all of a user\'s tokens; others may not; all audited', async (t) => {
  const { store, inject } = await api(t);
  const root = await store.users.create({ username: 'root', role: 'admin', password: 'admin password 123' }, T0);
  const bob = await store.users.create({ username: 'bob', role: 'engineer', password: 'bobs password 12' }, T0);
  const adminToken = (await store.tokens.create(root.id, 'admin-cli', T0)).token;
  const bobTokens = [];
  for (const name of ['a', 'b', 'c']) bobTokens.push(await store.tokens.create(bob.id, name, T0));
  const [a, b, c] = bobTokens;

  const list = await inject('GET', '/api/users/bob/tokens', adminToken);
  t.equal(list.status, 200);
  t.match(list.json(), { tokens: [{ id: a?.info.id, name: 'a', createdAtMs: T0, lastUsedAtMs: null }, { name: 'b' }, { name: 'c' }] });
  t.ok(bobTokens.every((x) => !list.body.includes(x.token)), 'the list never carries a token');

  t.equal((await inject('DELETE', '/api/users/bob/tokens', b?.token ?? '')).status, 403, 'an engineer cannot revoke all (not even their own, through this admin route)');
  t.equal((await inject('DELETE', `/api/users/bob/tokens/${b?.info.id}`, adminToken)).status, 204);
  t.equal(await store.tokens.resolve(b?.token ?? '', T0), undefined, 'the revoked token stops working');
  t.ok(await store.tokens.resolve(a?.token ?? '', T0), 'the others still work');

  const all = await inject('DELETE', '/api/users/bob/tokens', adminToken);
  t.equal(all.status, 200);
  t.match(all.json(), { tokens: [{ id: a?.info.id, name: 'a' }, { id: c?.info.id, name: 'c' }] });
  t.ok(bobTokens.every((x) => !all.body.includes(x.token)));
  t.equal(await store.tokens.resolve(a?.token ?? '', T0), undefined);
  t.equal(await store.tokens.resolve(c?.token ?? '', T0), undefined);
  t.same((await inject('GET', '/api/users/bob/tokens', adminToken)).json(), { tokens: [] });
  t.equal((await inject('DELETE', '/api/users/nobody/tokens', adminToken)).status, 404);

  const trail = await store.audit.list({ subject: 'bob', limit: 10 });
  t.same(trail.map((r) => r.action), ['token-revoke', 'token-revoke-all']);
  t.match(trail[0], { actor: { kind: 'user', id: 'root', via: 'token:admin-cli' }, details: { tokenId: b?.info.id, tokenName: 'b' } });
  t.match(trail[1], { details: { count: 2, tokenNames: 'a,c' } });
});
