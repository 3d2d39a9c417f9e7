/**
 * #15.1 in the dashboard, in real Chromium against a real collector: the Admin page's user list
 * and a device's fault events page like the ticket table ("1–50 of N", Next, Previous), and every
 * row is reachable.
 */
import mqtt from 'mqtt';
import t from 'tap';
import { encodeBirth, encodeFaultEvent } from '../../protocol/codec.js';
import { TEST_PASSWORD } from '../helpers/api-auth.js';
import { faultEvent } from '../helpers/delivery-harness.js';
import { waitFor } from '../helpers/wait.js';
import { startBrowserStack, type BrowserStack } from './browser-stack.js';

// One collector for both (no device credentials in it: a test client may publish as a device).
let stack: BrowserStack;
t.before(async () => { stack = await startBrowserStack({ device: false }); });
t.teardown(() => stack.stop());

t.test('admin page: the users list pages by cursor, every user reachable', async (t) => {
  for (let i = 0; i < 48; i++) {
    await stack.api('admin', '/api/users', { method: 'POST', body: { username: `crew-${String(i).padStart(2, '0')}`, role: 'viewer', password: TEST_PASSWORD } });
  }
  const all = await stack.api<{ users: Array<{ username: string }>; total: number }>('admin', '/api/users');
  t.ok(all.total > 50, 'more users than one page');

  const { page } = await stack.login('admin');
  await page.click('nav a[href="/admin"]');
  const pager = page.locator('[data-testid=users-pager]');
  const range = page.locator('[data-testid=users-pager-range]');
  await range.waitFor();
  t.equal(await range.textContent(), `1–50 of ${all.total}`);
  const rows = page.locator('section[aria-labelledby=adm-users] table tbody tr td.mono');
  const seen = [...await rows.allTextContents()];
  await pager.getByRole('button', { name: 'Next page' }).click();
  await page.locator('[data-testid=users-pager-range]', { hasText: `51–${all.total} of ${all.total}` }).waitFor();
  seen.push(...await rows.allTextContents());
  t.same(seen, all.users.map((u) => u.username), 'every user once, in the API\'s order');
  t.ok(await pager.getByRole('button', { name: 'Next page' }).isDisabled(), 'the last page has no next');
  await pager.getByRole('button', { name: 'Previous page' }).click();
  await page.locator('[data-testid=users-pager-range]', { hasText: `1–50 of ${all.total}` }).waitFor();
  t.same(await rows.allTextContents(), all.users.slice(0, 50).map((u) => u.username), 'Previous goes back to the first page');
});

t.test('device page: the device\'s fault events page by cursor, every one reachable', async (t) => {
  const client = await mqtt.connectAsync(stack.collector.mqttUrl, { clientId: 'fl-plant-a-press-9', protocolVersion: 4 });
  t.teardown(() => client.endAsync(true));
  await client.publishAsync('fl/v1/plant-a/press-9/birth', Buffer.from(encodeBirth({
    site: 'plant-a', device: 'press-9', adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'test', parameters: [], timeMs: Date.now(), sessionId: 's1',
  })), { qos: 1 });
  const EVENTS = 45;
  for (let seq = 1; seq <= EVENTS; seq++) await client.publishAsync('fl/v1/plant-a/press-9/event', Buffer.from(encodeFaultEvent(faultEvent('plant-a', 'press-9', seq, 0))), { qos: 1 });
  const all = await waitFor('every event stored', async () => {
    const r = await stack.api<{ events: Array<{ id: string }>; total: number }>('viewer', '/api/events?site=plant-a&device=press-9&limit=500');
    return r.total === EVENTS ? r.events.map((e) => e.id) : undefined;
  });

  const { page } = await stack.login('viewer');
  await page.goto(`${stack.baseUrl}/devices/plant-a/press-9`);
  const section = page.locator('[data-testid=device-events]');
  const range = section.locator('[data-testid=events-pager-range]');
  const rows = section.locator('tbody tr');
  const seen: string[] = [];
  for (const [from, to] of [[1, 20], [21, 40], [41, 45]] as const) {
    await section.locator('[data-testid=events-pager-range]', { hasText: `${from}–${to} of ${EVENTS}` }).waitFor();
    seen.push(...(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id') ?? ''))));
    if (to < EVENTS) await section.getByRole('button', { name: 'Next page' }).click();
  }
  t.equal(await range.textContent(), `41–45 of ${EVENTS}`);
  t.same(seen, all, 'every event once, newest first, as the API pages them');
  t.ok(await section.getByRole('button', { name: 'Next page' }).isDisabled(), 'the last page has no next');
});
