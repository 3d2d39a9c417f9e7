/**
 * The store port's contract, continued (issue #15 item 1, issue #16's "SLA left"): users and stored
 * fault events page by a keyset position with the total, every row once, in one order on every
 * adapter; tickets keep their next SLA due instant and page by it, tickets without one last.
 * Written against collector/store/port.ts only; storeContract runs it for every adapter.
 */
import type { Test } from 'tap';
import type { FaultEvent } from '../../protocol/values.js';
import type { DeskService } from '../../collector/desk/desk-service.js';
import { manualTicket, type DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { ticketSlaDueMs } from '../../collector/core/sla/sla-due.js';
import { ALWAYS_CALENDAR } from '../../collector/core/sla/sla-calendar.js';
import type { EventPageQuery, Page, PagePosition, StorePort } from '../../collector/store/port.js';

const NOW = Date.parse('2024-03-06T00:01:01Z');

let n = 0;
function fault(site: string, device: string, code: string, over: Partial<FaultEvent> = {}): FaultEvent {
  n++;
  return {
    id: `018e0f3a-1111-7000-9000-${String(n).padStart(12, '0')}`, device, site, seq: n, timeMs: NOW - 1000, source: 'modbus', category: 'hardware',
    code, severity: 'major', transition: 'raise', message: 'Overcurrent', snapshot: [], logExcerpt: ['E001'], labels: {}, adapterId: 'generic-vfd',
    remedy: '', ...over,
  };
}

/** Every page of a list, following `next`; at most 50 pages. */
async function walk<T>(read: (after: PagePosition | undefined) => Promise<Page<T>>, check: (page: Page<T>) => void): Promise<T[]> {
  const all: T[] = [];
  let after: PagePosition | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await read(after);
    check(page);
    all.push(...page.items);
    if (!page.next) break;
    after = page.next;
  }
  return all;
}

export function listsContract(
  test: (name: string, fn: (t: Test, store: StorePort) => Promise<void>) => void,
  attachDesk: (t: Test, store: StorePort) => Promise<DeskService>,
): void {
  test('user pages: username order in bytes, each user once, the total', async (t, store) => {
    const before = (await store.users.list()).map((u) => u.username);
    for (const name of ['b', 'a_b', 'ab', 'a-b', 'a1', 'a.b', 'Zed']) await store.users.create({ username: name, role: 'viewer', password: 'correct horse battery' }, NOW);
    const expected = [...before, 'b', 'a_b', 'ab', 'a-b', 'a1', 'a.b', 'zed'].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1));
    const total = expected.length;
    const seen = await walk((after) => store.users.page({ limit: 2, ...(after ? { after } : {}) }), (p) => {
      t.equal(p.total, total);
      t.ok(p.items.length <= 2);
    });
    t.same(seen.map((u) => u.username), expected, 'a-b, a.b, a1, a_b, ab, b, zed: bytes, not a locale');
    const whole = await store.users.page({ limit: 100 });
    t.same([whole.items.length, whole.next], [total, null], 'one page holds them all: no next');
  });

  test('event pages: newest received first, ties by id, filters, each event once, the total', async (t, store) => {
    await attachDesk(t, store);
    const a1 = fault('plant-a', 'drive-1', 'vfd.overcurrent');
    const a2 = fault('plant-a', 'drive-1', 'vfd.overvoltage');
    const a3 = fault('plant-a', 'drive-2', 'vfd.overcurrent');
    const b1 = fault('plant-b', 'drive-1', 'vfd.overcurrent');
    const a4 = fault('plant-a', 'drive-1', 'vfd.overcurrent', { transition: 'clear' });
    // Three events received in the same millisecond: their order is the id's, descending.
    await store.ingest.commit([
      { kind: 'event', receivedMs: NOW, event: a1 }, { kind: 'event', receivedMs: NOW + 5, event: a2 },
      { kind: 'event', receivedMs: NOW + 5, event: a3 }, { kind: 'event', receivedMs: NOW + 5, event: b1 },
    ], NOW + 5);
    await store.ingest.commit([{ kind: 'event', receivedMs: NOW + 9, event: a4 }], NOW + 9);
    const ids = async (q: Omit<EventPageQuery, 'limit' | 'after'>, limit: number, total: number): Promise<string[]> =>
      (await walk((after) => store.queries.pageEvents({ ...q, limit, ...(after ? { after } : {}) }), (p) => t.equal(p.total, total))).map((e) => e.id);
    t.same(await ids({}, 2, 5), [a4.id, b1.id, a3.id, a2.id, a1.id], 'every event once, newest received first; a tie by id');
    t.same(await ids({ site: 'plant-a', device: 'drive-1' }, 1, 3), [a4.id, a2.id, a1.id]);
    t.same(await ids({ code: 'vfd.overcurrent' }, 2, 4), [a4.id, b1.id, a3.id, a1.id]);
    const first = (await store.queries.pageEvents({ limit: 1 })).items[0];
    t.match(first, { id: a4.id, receivedMs: NOW + 9, site: 'plant-a', code: 'vfd.overcurrent', transition: 'clear', logExcerpt: ['E001'], labels: {} });
    const ticket = (await store.queries.listTickets({ device: 'drive-1', site: 'plant-a', limit: 10 })).find((x) => x.code === 'vfd.overcurrent');
    t.ok(ticket, 'the desk opened a ticket for the fault');
    t.same(await ids({ ticketId: ticket?.id ?? -1 }, 1, 2), [a4.id, a1.id], 'a ticket\'s events');
  });

  test('ticket pages by SLA due: nulls last both ways, a filter by due time; the desk fills in the ones not stored', async (t, store) => {
    const ids = await store.desk.transaction({}, ({ repo }) => ['a', 'b', 'c', 'd', 'e'].map((title, i) => repo.tickets.insert({
      ...manualTicket({ origin: 'phone', reporter: 'ann', title, description: '', site: 'plant-a', device: '', category: 'hardware', severity: 'major' }, NOW + i),
      ...(title === 'e' ? { status: 'closed' as const } : {}),
    }, NOW).id));
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    t.same(await store.desk.ticketsWithoutSlaDue(100), [a, b, c, d], 'none stored yet: every ticket not closed');
    await store.desk.transaction({ tickets: ids }, ({ repo }) => {
      repo.tickets.setSlaDue(a, NOW + 3000); repo.tickets.setSlaDue(b, NOW + 1000); repo.tickets.setSlaDue(c, null); repo.tickets.setSlaDue(d, NOW + 2000);
    });
    t.same(await store.desk.ticketsWithoutSlaDue(100), [c], 'a ticket whose clocks do not run is looked at again');
    t.same(await store.desk.ticketsWithoutSlaDue(0), []);
    const order = async (dir: 'asc' | 'desc', extra: { slaDueBeforeMs?: number } = {}, total = 5): Promise<number[]> =>
      (await walk((after) => store.queries.pageTickets({ sort: 'sla', dir, limit: 2, ...extra, ...(after ? { after } : {}) }), (p) => t.equal(p.total, total)))
        .map((x: DeskTicket) => x.id);
    t.same(await order('asc'), [b, d, a, c, e], 'soonest due first; no due instant last, by id');
    t.same(await order('desc'), [a, d, b, e, c], 'latest due first; no due instant still last');
    t.same(await order('asc', { slaDueBeforeMs: NOW + 2500 }, 2), [b, d], 'due before an instant (none without one)');
    await attachDesk(t, store);
    t.same(await store.desk.ticketsWithoutSlaDue(100), [], 'the desk stored c\'s due instant when it started');
    const cNow = await store.queries.getTicket({ id: c });
    const due = cNow ? ticketSlaDueMs(cNow, { '24x7': ALWAYS_CALENDAR }) : null;
    t.ok(due !== null && due > NOW + 3000, 'c\'s response is due after a\'s stored instant');
    t.same(await order('asc'), [b, d, a, c, e], 'c by its instant now; the closed ticket last');
  });
}
