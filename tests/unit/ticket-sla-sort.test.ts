/**
 * Sorting the ticket table by "SLA left" (#15 item 2, #16): the desk stores each ticket's next SLA
 * due instant computed on its calendar, so a ticket whose target is shorter in minutes but runs on
 * business hours (due Monday) sorts after one on a 24×7 calendar due Friday evening; the instant
 * follows the ticket (acknowledged: the resolution clock; waiting on the customer: none, last),
 * the API pages and filters by it, and rows without one are filled in when the desk starts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { SYSTEM } from '../../collector/core/desk/audit-record.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { apiCaller, injectAs } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { DESK_YAML, deskHarness, type DeskHarness } from '../helpers/desk-harness.js';

const YAML = `${DESK_YAML}
calendars:
  - id: office
    kind: business
    timeZone: Europe/Berlin
    week:
      mon: [{ start: "08:00", end: "17:00" }]
      tue: [{ start: "08:00", end: "17:00" }]
      wed: [{ start: "08:00", end: "17:00" }]
      thu: [{ start: "08:00", end: "17:00" }]
      fri: [{ start: "08:00", end: "17:00" }]
sla:
  targets:
    P2: { responseMinutes: 120, resolutionMinutes: 1440, calendar: office }
    P3: { responseMinutes: 240, resolutionMinutes: 4320, calendar: 24x7 }
`;

/** Friday 8 March 2024; Berlin is UTC+1 then. */
const at = (hhmm: string, day = '08'): number => Date.parse(`2024-03-${day}T${hhmm}:00Z`);

async function open(h: DeskHarness, title: string, severity: 'major' | 'minor', nowMs: number): Promise<number> {
  h.clock.now = nowMs;
  const tk = await h.desk.openManualTicket({ origin: 'phone', reporter: 'ann', title, description: '', site: 'plant-a', device: '', category: 'hardware', severity }, SYSTEM);
  return tk.id;
}

t.test('by SLA left: the due instant on the calendar, not the target in minutes; it follows the ticket', async (t) => {
  const h = await deskHarness(t, YAML);
  const app = await deskApi(t, h);
  injectAs(app, await apiCaller(h.store, 'engineer'));
  // x: P2, 2 working hours from Friday 16:00 Berlin: 1 h on Friday, 1 h on Monday, due Monday 09:00 Berlin (08:00Z).
  const x = await open(h, 'x', 'major', at('15:00'));
  // y: P3, 4 h around the clock from 15:30Z: due Friday 19:30Z (a longer target, yet due first).
  const y = await open(h, 'y', 'minor', at('15:30'));
  // z: P2 from Friday 16:45 Berlin: 15 min on Friday, 105 on Monday, due Monday 09:45 Berlin (08:45Z).
  const z = await open(h, 'z', 'major', at('15:45'));
  const priorities = await Promise.all([x, y, z].map(async (id) => (await h.store.queries.getTicket({ id }))?.priority));
  t.same(priorities, ['P2', 'P3', 'P2'], 'x and z on the office calendar, y around the clock');

  const page = async (query: string): Promise<{ ids: number[]; total: number; nextCursor: string | null }> => {
    const res = await app.inject({ method: 'GET', url: `/api/tickets?${query}` });
    t.equal(res.statusCode, 200, query);
    const body = res.json() as { tickets: Array<{ id: number; sla: { response: { dueMs: number | null } } }>; total: number; nextCursor: string | null };
    return { ids: body.tickets.map((tk) => tk.id), total: body.total, nextCursor: body.nextCursor };
  };
  /** Every ticket of the query, one per page: the order comes from the cursors too. */
  const walk = async (query: string): Promise<number[]> => {
    const ids: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const p = await page(`${query}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...p.ids);
      cursor = p.nextCursor;
      if (cursor === null) break;
    }
    return ids;
  };

  h.clock.now = at('16:00');
  t.same(await walk('sort=opened&dir=asc'), [x, y, z], 'opened order');
  t.same(await walk('sort=sla&dir=asc'), [y, x, z], 'SLA left: y (Friday 19:30Z) before x (Monday 08:00Z) before z (Monday 08:45Z)');
  t.same(await walk('sort=sla&dir=desc'), [z, x, y]);
  t.same((await page(`sort=sla&dir=asc&slaDueBeforeMs=${at('08:30', '11')}`)).ids, [y, x], 'due before Monday 08:30Z');
  t.same((await page(`sort=sla&dir=asc&slaDueBeforeMs=${at('16:00')}`)).total, 0, 'none breached yet');

  // Acknowledged: the response clock stops; y's resolution clock (72 h around the clock) is due Monday 15:30Z.
  const ann = { kind: 'user' as const, id: 'ann' };
  await h.desk.ticketAction({ id: y }, { type: 'ack' }, ann);
  t.same(await walk('sort=sla&dir=asc'), [x, z, y], 'y now by its resolution clock');
  // x acknowledged and then waiting on the customer: its resolution clock pauses, no due instant, last either way.
  await h.desk.ticketAction({ id: x }, { type: 'ack' }, ann);
  await h.desk.ticketAction({ id: x }, { type: 'wait', reason: 'asked for the drive\'s serial number' }, ann);
  t.same(await walk('sort=sla&dir=asc'), [z, y, x], 'paused: last going up');
  t.same(await walk('sort=sla&dir=desc'), [y, z, x], 'paused: last going down too');
  await h.desk.ticketAction({ id: x }, { type: 'resume' }, ann);
  t.same(await walk('sort=sla&dir=asc'), [z, y, x], 'resumed Friday 16:00Z: x\'s 24 working hours run out on Wednesday');
});

t.test('tickets stored before the due instant was kept get it when the desk starts', async (t) => {
  const h = await deskHarness(t, YAML);
  const x = await open(h, 'x', 'major', at('15:00'));
  const y = await open(h, 'y', 'minor', at('15:30'));
  await h.close();
  // As a row written before schema 16: no due instant.
  const db = new Database(join(h.dataDir, DB_FILE));
  db.prepare('UPDATE tickets SET sla_due_ms = NULL').run();
  db.close();
  const again = await deskHarness(t, YAML, { dataDir: h.dataDir, clock: h.clock });
  t.same(await again.store.desk.ticketsWithoutSlaDue(10), [], 'filled in at start');
  const page = await again.store.queries.pageTickets({ sort: 'sla', dir: 'asc', limit: 10 });
  t.same(page.items.map((tk) => tk.id), [y, x], 'and sorted by it');
  const filtered = await again.store.queries.pageTickets({ sort: 'sla', dir: 'asc', limit: 10, slaDueBeforeMs: at('08:01', '11') });
  t.same(filtered.items.map((tk) => tk.id), [y, x], 'x due Monday 08:00Z exactly');
});
