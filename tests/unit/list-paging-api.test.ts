/**
 * #15.1 "every list pages", users and events: GET /api/users and GET /api/events answer one page
 * with the total and a cursor, and following the cursors reaches every row of a list bigger than
 * a page exactly once; a cursor that is not one, or belongs to another list, is refused.
 */
import t, { type Test } from 'tap';
import { apiCaller, injectAs, TEST_PASSWORD } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import type { FastifyInstance } from 'fastify';

interface PageBody { total: number; nextCursor: string | null; error?: { code: string } }

/** Every page of `path` (which carries its own query) with `limit`; the rows under `key`, and how many pages. */
async function readAll<T>(t: Test, app: FastifyInstance, path: string, key: string, total: number): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, `${path}: page ${pages + 1} answers`);
    const body = res.json() as PageBody & Record<string, T[]>;
    t.equal(body.total, total, 'each page says the total');
    rows.push(...(body[key] ?? []));
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { rows, pages };
}

t.test('users: every user reachable by cursor in username order, with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'admin'));
  for (let i = 0; i < 23; i++) await h.store.users.create({ username: `user-${String(i).padStart(2, '0')}`, role: 'viewer', password: TEST_PASSWORD }, T0);
  const names = (await h.store.users.list()).map((u) => u.username).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
  t.ok(names.length >= 24);
  const { rows, pages } = await readAll<{ username: string; passwordHash?: string }>(t, app, '/api/users?limit=5', 'users', names.length);
  t.same(rows.map((u) => u.username), names, 'every user once, in username order');
  t.equal(pages, Math.ceil(names.length / 5));
  t.notOk(rows.some((u) => 'passwordHash' in u), 'no password hash in a page');
  const all = (await app.inject({ method: 'GET', url: '/api/users' })).json() as PageBody & { users: unknown[] };
  t.same([all.users.length, all.nextCursor], [names.length, null], 'without a limit: every user (up to 5,000) in one page, as before');
  const bad = await app.inject({ method: 'GET', url: '/api/users?limit=5&cursor=nonsense' });
  t.same([bad.statusCode, (bad.json() as PageBody).error?.code], [400, 'FL_ERR_API_BAD_CURSOR']);
});

t.test('events: every stored event reachable by cursor, newest received first, filters, with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'viewer'));
  await h.commit(birth('drive-1'), birth('drive-2'));
  const EVENTS = 250;
  // Received in groups of five per millisecond: the id breaks the ties.
  const messages = Array.from({ length: EVENTS }, (_, i) =>
    fault(i % 2 === 0 ? 'raise' : 'clear', T0 + Math.floor(i / 5), { device: i % 3 === 0 ? 'drive-2' : 'drive-1', code: `vfd.code-${Math.floor(i / 2) % 7}` }));
  await h.store.ingest.commit(messages, T0 + EVENTS);
  const expected = messages.map((m) => (m.kind === 'event' ? { id: m.event.id, receivedMs: m.receivedMs } : { id: '', receivedMs: 0 }))
    .sort((a, b) => b.receivedMs - a.receivedMs || (a.id < b.id ? 1 : -1)).map((e) => e.id);
  const { rows, pages } = await readAll<{ id: string; receivedMs: number }>(t, app, '/api/events?limit=100', 'events', EVENTS);
  t.same(rows.map((e) => e.id), expected, 'every event once, newest received first');
  t.equal(pages, 3);
  const drive2 = messages.filter((m) => m.kind === 'event' && m.event.device === 'drive-2').length;
  const byDevice = await readAll<{ device: string }>(t, app, '/api/events?limit=30&site=plant-a&device=drive-2', 'events', drive2);
  t.same([byDevice.rows.length, byDevice.rows.every((e) => e.device === 'drive-2')], [drive2, true], 'a device\'s events');
  const firstTicket = (await h.store.queries.listTickets({ limit: 1 }))[0];
  t.ok(firstTicket, 'the faults opened tickets');
  const onTicket = (await h.store.queries.ticketEvents(firstTicket?.id ?? -1)).length;
  const byTicket = await readAll<{ ticketId: number }>(t, app, `/api/events?limit=3&ticketId=${firstTicket?.id ?? -1}`, 'events', onTicket);
  t.same([byTicket.rows.length, byTicket.rows.every((e) => e.ticketId === firstTicket?.id)], [onTicket, true], 'a ticket\'s events');

  const refused = async (cursor: string): Promise<unknown[]> => {
    const res = await app.inject({ method: 'GET', url: `/api/events?limit=5&cursor=${encodeURIComponent(cursor)}` });
    return [res.statusCode, (res.json() as PageBody).error?.code];
  };
  t.same(await refused('nonsense'), [400, 'FL_ERR_API_BAD_CURSOR'], 'not a cursor');
  const devices = (await app.inject({ method: 'GET', url: '/api/devices?limit=1' })).json() as PageBody;
  t.same(await refused(devices.nextCursor ?? ''), [400, 'FL_ERR_API_BAD_CURSOR'], 'a cursor of another list');
  const forged = Buffer.from(JSON.stringify({ s: 'received', d: 'desc', v: 'no-slash', i: 0 })).toString('base64url');
  t.same(await refused(forged), [400, 'FL_ERR_API_BAD_CURSOR'], 'a cursor whose position is not an event\'s');
});
