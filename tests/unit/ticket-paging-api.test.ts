/**
 * #15.1 "tickets beyond 500 vanish": with 2,000 open tickets every one is reachable through
 * GET /api/tickets by following its cursor, each page says the total, any column sorts, and a
 * cursor that is not one, or belongs to another sort, is refused with its own code. Alarms page the
 * same way.
 */
import t from 'tap';
import { manualTicket } from '../../collector/core/tickets/desk-ticket.js';
import { apiCaller, injectAs } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, fault, MIN, T0 } from '../helpers/desk-harness.js';

interface ListBody { tickets: Array<{ id: number; number: string; priority: string; status: string; site: string }>; total: number; nextCursor: string | null }

const OPEN = 2000;

t.test('2,000 open tickets: every one reachable by cursor, each page with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'viewer'));
  await h.store.desk.transaction({}, ({ repo }) => {
    for (let i = 0; i < OPEN; i++) {
      repo.tickets.insert(manualTicket({
        origin: 'phone', reporter: 'ann', title: `call ${i}`, description: '', site: `plant-${i % 4}`, device: '',
        category: 'hardware', severity: (['critical', 'major', 'minor', 'warning'] as const)[i % 4] ?? 'minor',
      }, T0 + Math.floor(i / 3) * MIN), T0);
    }
  });
  const get = async (query: string): Promise<{ status: number; body: ListBody & { error?: { code: string } } }> => {
    const res = await app.inject({ method: 'GET', url: `/api/tickets?${query}` });
    return { status: res.statusCode, body: res.json() };
  };

  for (const [sort, limit] of [['opened', 500], ['priority', 300], ['site', 500]] as const) {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`scope=open&limit=${limit}&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      t.equal(res.status, 200, `${sort}: page ${pages + 1} answers`);
      if (res.status !== 200) break;
      t.equal(res.body.total, OPEN, `${sort}: page ${pages + 1} says the total`);
      for (const tk of res.body.tickets) seen.add(tk.number);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    t.equal(seen.size, OPEN, `${sort}: every open ticket reached, none twice`);
    t.equal(pages, Math.ceil(OPEN / limit), `${sort}: in ${Math.ceil(OPEN / limit)} pages`);
  }

  const byPriority = await get('limit=10&sort=priority&dir=asc');
  t.same(byPriority.body.tickets.map((x) => x.priority), new Array(10).fill('P1'), 'sorted by priority, P1 first');
  const first = await get('limit=5&sort=site&dir=desc');
  t.ok(first.body.tickets.every((x) => x.site === 'plant-3'), 'sorted by site, descending');

  const bad = await get('limit=5&cursor=not-a-cursor');
  t.equal(bad.status, 400);
  t.equal(bad.body.error?.code, 'FL_ERR_API_BAD_CURSOR', 'a made-up cursor is refused with its own code');
  const other = await get(`limit=5&sort=site&dir=asc&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);
  t.equal(other.body.error?.code, 'FL_ERR_API_BAD_CURSOR', 'a cursor of another direction is refused, not misread');
  const done = await get('scope=done&limit=5');
  t.same([done.body.total, done.body.tickets.length, done.body.nextCursor], [0, 0, null], 'nothing resolved or closed yet');
});

t.test('alarms page by cursor with the total; a ticket cursor is not an alarm cursor', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'viewer'));
  await h.commit(birth(), ...Array.from({ length: 30 }, (_, i) => fault('raise', T0 + (i % 4) * 1000, { code: `vfd.fault_${i}` })));
  const seen = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/api/alarms?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    t.equal(res.statusCode, 200);
    const body = res.json() as { alarms: Array<{ id: number }>; total: number; nextCursor: string | null };
    t.equal(body.total, 30);
    for (const a of body.alarms) seen.add(a.id);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.same([seen.size, pages], [30, 5], 'every alarm once, in five pages of seven');
  const tickets = (await app.inject({ method: 'GET', url: '/api/tickets?limit=1' })).json() as { nextCursor: string };
  const res = await app.inject({ method: 'GET', url: `/api/alarms?limit=7&cursor=${encodeURIComponent(tickets.nextCursor)}` });
  t.match(res.json(), { error: { code: 'FL_ERR_API_BAD_CURSOR' } });
});

t.test('the audit log pages by cursor, older records on later pages, with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'engineer'));
  await h.commit(birth(), ...Array.from({ length: 6 }, (_, i) => fault('raise', T0 + i, { code: `vfd.fault_${i}` })));
  const all = (await h.store.audit.list({ limit: 10_000 })).map((r) => r.seq);
  t.ok(all.length > 10, `${all.length} records`);
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/api/audit?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    const body = res.json() as { records: Array<{ seq: number }>; total: number; nextCursor: string | null };
    t.equal(body.total, all.length);
    seen.unshift(...body.records.map((r) => r.seq));
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  t.same(seen, all, 'every record once, the chain in order when the pages are put together');
});

t.test('webhook deliveries page by cursor with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'engineer'));
  await h.commit(birth(), ...Array.from({ length: 4 }, (_, i) => fault('raise', T0 + i, { code: `vfd.fault_${i}` })));
  const total = (await h.store.webhooks.list({ limit: 1000 })).length;
  t.ok(total >= 4, `${total} deliveries queued`);
  const seen = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/api/webhooks/deliveries?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    const body = res.json() as { deliveries: Array<{ id: number }>; total: number; nextCursor: string | null };
    t.equal(body.total, total);
    for (const d of body.deliveries) seen.add(d.id);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  t.same([seen.size, pages], [total, Math.ceil(total / 3)], 'every delivery once');
});

t.test('the device registry pages by cursor with the total', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'viewer'));
  await h.commit(...Array.from({ length: 9 }, (_, i) => birth(`drive-${i}`)));
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/api/devices?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    const body = res.json() as { devices: Array<{ device: string }>; total: number; nextCursor: string | null };
    t.equal(body.total, 9);
    seen.push(...body.devices.map((d) => d.device));
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.same([new Set(seen).size, pages], [9, 3], 'every device once, in three pages');
  const all = (await app.inject({ method: 'GET', url: '/api/devices' })).json() as { devices: unknown[]; nextCursor: string | null };
  t.same([all.devices.length, all.nextCursor], [9, null], 'without a limit: the whole registry (up to 5,000) in one page, as before');
});
