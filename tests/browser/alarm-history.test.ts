/**
 * Alarm history in real headless Chromium against a real stack (collector, agent, simulated drive):
 * a fault raised, acknowledged and cleared shows as three transitions, newest first; filtering by
 * transition and searching narrow the list; the CSV export holds exactly the filtered rows; the
 * API's cursor pages without gaps or repeats.
 */
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, SITE, startBrowserStack } from './browser-stack.js';

interface AlarmJson { id: number; code: string; state: string }
interface HistoryJson { transitions: Array<{ seq: number; transition: string; code: string; by: string }>; nextCursor: string | null }

t.setTimeout(180_000);

t.test('alarm history: filter, search, CSV and cursor', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  sim.model.injectFault(1);
  const alarm = await waitFor('the alarm', async () => (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((a) => a.code === 'vfd.overcurrent'), 15_000);
  await stack.api('operator', `/api/alarms/${alarm.id}/ack`, { method: 'POST', body: { note: 'motor checked' } });
  sim.model.injectFault(0);
  await waitFor('the clear', async () => ((await stack.api<AlarmJson>('operator', `/api/alarms/${alarm.id}`)).state === 'normal' ? true : undefined), 15_000);

  const { page } = await stack.login('viewer');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.click('nav a[href="/alarms/history"]');
  await page.waitForURL('**/alarms/history');
  t.equal(await page.textContent('h1'), 'Alarm history');
  const rows = page.locator('[data-testid=history-rows] tr');
  await waitFor('three transitions', async () => ((await rows.count()) >= 3 ? true : undefined), 10_000);
  const mine = page.locator('[data-testid=history-rows] tr[data-code="vfd.overcurrent"]');
  t.same(await mine.evaluateAll((els) => els.map((e) => e.getAttribute('data-transition'))), ['clear', 'acknowledge', 'raise'], 'raise, acknowledge, clear: newest first');
  t.match(await mine.nth(1).textContent(), /Acknowledged.*Active, unacknowledged → Active, acknowledged.*olga/, 'each with its states and who acted');

  await page.selectOption('#h-transition', 'acknowledge');
  await page.click('[data-testid=history-apply]');
  await waitFor('the filter', async () => ((await rows.count()) === 1 ? true : undefined), 10_000);
  t.equal(await rows.first().getAttribute('data-transition'), 'acknowledge', 'filtered by transition');
  t.match(page.url(), /transition=acknowledge/, 'the filter is in the address');

  await page.selectOption('#h-transition', '');
  await page.fill('#h-q', 'MOTOR CHECKED');
  await page.click('[data-testid=history-apply]');
  await waitFor('the search', async () => ((await rows.count()) === 1 ? true : undefined), 10_000);
  t.match(await rows.first().textContent(), /motor checked/, 'searched in the reason, any case');

  const href = await page.getAttribute('[data-testid=history-csv]', 'href');
  const csv = await page.evaluate(async (u) => (await fetch(u as string)).text(), href);
  const lines = csv.trim().split('\r\n');
  t.equal(lines[0], 'time_utc,site,device,code,transition,from,to,by,reason,seq', 'the CSV header');
  t.equal(lines.length, 2, 'the CSV holds the filtered rows only');
  t.match(lines[1], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^,]+Z,${SITE},${DEVICE},vfd\\.overcurrent,acknowledge,active-unacknowledged,active-acknowledged,olga,`), 'a row as shown');

  await page.click('[data-testid=lang-toggle]');
  t.equal(await page.textContent('h1'), '报警历史', 'the page in Chinese');
  t.match(await rows.first().textContent(), /确认/, 'transitions in Chinese');

  // The cursor: pages of one, in order, without gaps or repeats.
  const all = await stack.api<HistoryJson>('viewer', '/api/alarms/history?limit=1000');
  const paged: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < all.transitions.length + 1; i++) {
    const p: HistoryJson = await stack.api<HistoryJson>('viewer', `/api/alarms/history?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    paged.push(...p.transitions.map((x) => x.seq));
    cursor = p.nextCursor;
    if (!cursor) break;
  }
  t.same(paged, all.transitions.map((x) => x.seq), `${paged.length} pages of one give the whole history`);
  // The overcurrent trip is a P1 (its severity's priority; its ticket has the same).
  const p1 = await stack.api<HistoryJson>('viewer', '/api/alarms/history?priority=P1&limit=1000');
  const p4 = await stack.api<HistoryJson>('viewer', '/api/alarms/history?priority=P4&limit=1000');
  t.ok(p1.transitions.filter((x) => x.code === 'vfd.overcurrent').length >= 3, 'priority P1 holds the trip\'s transitions');
  t.equal(p4.transitions.filter((x) => x.code === 'vfd.overcurrent').length, 0, 'priority P4 does not');
  t.same(errors, [], 'no script errors');
});
