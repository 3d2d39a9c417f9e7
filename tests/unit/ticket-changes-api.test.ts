/**
 * GET /api/tickets/changes through app.inject over a real desk and store: the starting cursor,
 * changed tickets as the list shows them, the site filter, long polling woken by a commit, resets,
 * bad cursors and a token revoked while a request waits.
 */
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { FEED_MAX_WAIT_MS } from '../../collector/api/ticket-changes-route.js';
import { apiCaller, type TestCaller } from '../helpers/api-auth.js';
import { birth, deskHarness, fault, T0, type DeskHarness } from '../helpers/desk-harness.js';
import { waitFor } from '../helpers/wait.js';
import { deskApi } from '../helpers/desk-api.js';

interface Changes { cursor: string; reset: boolean; more: boolean; tickets: Array<{ code: string; site: string; occurrences: number }> }

async function setup(t: Test): Promise<{ h: DeskHarness; app: FastifyInstance; viewer: TestCaller; get: (url: string, caller?: TestCaller) => Promise<{ status: number; body: Changes & { error?: { code: string } } }> }> {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  const viewer = await apiCaller(h.store, 'viewer');
  await h.commit(birth());
  const get = async (url: string, caller = viewer) => {
    const res = await app.inject({ method: 'GET', url, headers: caller.headers });
    return { status: res.statusCode, body: res.json() };
  };
  return { h, app, viewer, get };
}

const raise = (code: string, site = 'plant-a') => fault('raise', T0, { code, site });

t.test('the first call gives the cursor; later calls give each changed ticket once, as the list shows it', async (t) => {
  const { h, get } = await setup(t);
  const start = await get('/api/tickets/changes');
  t.equal(start.status, 200);
  t.match(start.body, { reset: false, more: false, tickets: [] });
  await h.commit(raise('vfd.a'), raise('vfd.b'));
  await h.commit(raise('vfd.a'));
  const first = await get(`/api/tickets/changes?after=${start.body.cursor}`);
  t.equal(first.status, 200);
  t.same(first.body.tickets.map((x) => [x.code, x.occurrences]), [['vfd.a', 2], ['vfd.b', 1]], 'vfd.a once (where it first changed), with its latest count');
  const list = await get('/api/tickets?limit=10');
  t.same(first.body.tickets.find((x) => x.code === 'vfd.a'), (list.body.tickets as unknown[]).find((x) => (x as { code: string }).code === 'vfd.a'),
    'the same summary GET /api/tickets gives');
  const none = await get(`/api/tickets/changes?after=${first.body.cursor}`);
  t.same(none.body, { cursor: first.body.cursor, reset: false, more: false, tickets: [] });
});

t.test('limit and site: at most limit tickets with more set; other sites are left out but passed', async (t) => {
  const { h, get } = await setup(t);
  const { cursor } = (await get('/api/tickets/changes')).body;
  await h.commit(raise('vfd.a'), raise('vfd.b', 'plant-b'), raise('vfd.c'));
  const page = await get(`/api/tickets/changes?after=${cursor}&limit=2`);
  t.same(page.body.tickets.map((x) => x.code), ['vfd.a', 'vfd.b']);
  t.equal(page.body.more, true);
  const rest = await get(`/api/tickets/changes?after=${page.body.cursor}&limit=2`);
  t.same(rest.body.tickets.map((x) => x.code), ['vfd.c']);
  t.equal(rest.body.more, false);
  const siteA = await get(`/api/tickets/changes?after=${cursor}&site=plant-a`);
  t.same(siteA.body.tickets.map((x) => x.code), ['vfd.a', 'vfd.c']);
  t.equal(siteA.body.cursor, rest.body.cursor, 'the cursor moves past the other site’s change too');
});

t.test('waitMs holds the request until a commit changes a ticket', async (t) => {
  const { h, get } = await setup(t);
  const { cursor } = (await get('/api/tickets/changes')).body;
  let answered = false;
  const waiting = get(`/api/tickets/changes?after=${cursor}&waitMs=10000`).then((r) => { answered = true; return r; });
  await new Promise((r) => setTimeout(r, 100));
  t.equal(answered, false, 'nothing changed yet: still waiting');
  await h.commit(raise('vfd.late'));
  const res = await waiting;
  t.equal(res.status, 200);
  t.same(res.body.tickets.map((x) => x.code), ['vfd.late']);

  const started = Date.now();
  const timedOut = await get(`/api/tickets/changes?after=${res.body.cursor}&waitMs=50`);
  t.ok(Date.now() - started >= 45, 'an idle wait lasts waitMs');
  t.same(timedOut.body, { cursor: res.body.cursor, reset: false, more: false, tickets: [] });
});

t.test('a cursor from another run answers reset; bad cursors and waits are 400 with the API code', async (t) => {
  const { get } = await setup(t);
  const other = await get('/api/tickets/changes?after=abc.0');
  t.equal(other.status, 200);
  t.match(other.body, { reset: true, tickets: [] });
  t.not(other.body.cursor, 'abc.0');
  for (const url of ['/api/tickets/changes?after=nonsense', `/api/tickets/changes?after=x.0&waitMs=${FEED_MAX_WAIT_MS + 1}`, '/api/tickets/changes?after=x.0&limit=0']) {
    const bad = await get(url);
    t.equal(bad.status, 400, url);
    t.equal(bad.body.error?.code, 'FL_ERR_API_BAD_REQUEST', url);
  }
});

t.test('a token revoked while its request waits gets 401, not the changes', async (t) => {
  const { h, get, viewer } = await setup(t);
  const { cursor } = (await get('/api/tickets/changes')).body;
  const waiting = get(`/api/tickets/changes?after=${cursor}&waitMs=10000`);
  await new Promise((r) => setTimeout(r, 50));
  const user = await h.store.users.byName(viewer.username);
  if (!user) throw new Error('viewer missing');
  for (const token of await h.store.tokens.list(user.id)) await h.store.tokens.revoke(user.id, token.id);
  await h.commit(raise('vfd.after-revoke'));
  const res = await waiting;
  t.equal(res.status, 401);
  t.equal(res.body.error?.code, 'FL_ERR_AUTH_REQUIRED');
});

t.test('a client that goes away while waiting frees its place at once (over a real socket), as /api/health shows', async (t) => {
  const { app, viewer } = await setup(t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const waiting = async (): Promise<number> => {
    const health = await (await fetch(`${base}/api/health`, { headers: viewer.headers })).json() as { live: { feedWaiting: number } };
    return health.live.feedWaiting;
  };
  const { cursor } = await (await fetch(`${base}/api/tickets/changes`, { headers: viewer.headers })).json() as Changes;
  const gone = new AbortController();
  const request = fetch(`${base}/api/tickets/changes?after=${cursor}&waitMs=20000`, { headers: viewer.headers, signal: gone.signal }).catch((err: unknown) => err);
  t.equal(await waitFor('the long poll to be counted', async () => ((await waiting()) === 1 ? 1 : undefined), 5000), 1, 'the long poll is counted while it waits');
  gone.abort();
  t.type(await request, Error, 'the client gave up');
  t.equal(await waitFor('the wait to end', async () => ((await waiting()) === 0 ? 0 : undefined), 5000), 0, 'and its wait ended with the connection, not after 20 s');
});
