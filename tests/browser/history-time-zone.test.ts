/**
 * The alarm history's time filters follow the time zone chosen in the header, not the browser's
 * (issue #16), in real headless Chromium against a real stack: the browser runs in New York, the
 * user picks Shanghai. A wall time typed in the From/To inputs means that time in Shanghai (the
 * address carries the instant), the inputs show it back in Shanghai after a reload and move with
 * the zone when the user picks another one, and a one-minute window around a transition, typed in
 * Shanghai time, finds exactly it.
 */
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, startBrowserStack } from './browser-stack.js';

interface HistoryJson { transitions: Array<{ seq: number; atMs: number; transition: string; code: string }> }

t.setTimeout(180_000);

/** "YYYY-MM-DDTHH:MM" of an instant in Shanghai (UTC+8 all year). */
const shanghai = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
const fromUrl = (url: string, k: string): string | null => new URL(url).searchParams.get(k);

t.test('alarm history: the date/time inputs use the chosen zone, not the browser\'s', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  stack.sim!.model.injectFault(1);
  const raise = await waitFor('the raise', async () => (await stack.api<HistoryJson>('viewer', `/api/alarms/history?device=${DEVICE}&code=vfd.overcurrent`))
    .transitions.find((x) => x.transition === 'raise'), 20_000);

  const { page } = await stack.login('viewer', { timezoneId: 'America/New_York' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/New_York', 'the browser is in New York');
  await page.selectOption('#tz-select', 'Asia/Shanghai');
  await page.goto(`${stack.baseUrl}/alarms/history`);
  await page.locator('#h-from').waitFor({ timeout: 15_000 });
  t.equal(await page.inputValue('#tz-select'), 'Asia/Shanghai', 'Shanghai is chosen');
  t.equal(await page.getAttribute('#h-from', 'data-tz'), 'Asia/Shanghai', 'the input says which zone it takes');

  // 08:00 in Shanghai is 00:00 UTC (New York would make it 13:00 UTC).
  await page.fill('#h-from', '2030-01-01T08:00');
  await page.fill('#h-to', '2030-01-02T08:00');
  await page.click('[data-testid=history-apply]');
  await page.waitForURL(/from=/);
  t.equal(fromUrl(page.url(), 'from'), String(Date.UTC(2030, 0, 1, 0, 0)), 'From is read as Shanghai time');
  t.equal(fromUrl(page.url(), 'to'), String(Date.UTC(2030, 0, 2, 0, 0)), 'To as well');
  await page.reload();
  await page.locator('#h-from').waitFor({ timeout: 15_000 });
  t.equal(await page.inputValue('#h-from'), '2030-01-01T08:00', 'shown back in Shanghai time after a reload');
  await page.selectOption('#tz-select', 'UTC');
  await page.locator('#h-from').waitFor({ timeout: 15_000 });
  await waitFor('the zone change', async () => ((await page.inputValue('#h-from')) === '2030-01-01T00:00' ? true : undefined), 10_000).catch(() => undefined);
  t.equal(await page.inputValue('#h-from'), '2030-01-01T00:00', 'the same instant in UTC once UTC is chosen');
  await page.selectOption('#tz-select', 'Asia/Shanghai');

  // A one-minute window around the raise, typed on Shanghai's wall clock, finds it.
  const rows = page.locator('[data-testid=history-rows] tr[data-code="vfd.overcurrent"]');
  const minute = Math.floor(raise.atMs / 60_000) * 60_000;
  await page.goto(`${stack.baseUrl}/alarms/history?code=vfd.overcurrent&transition=raise`);
  await page.locator('#h-from').waitFor({ timeout: 15_000 });
  await page.fill('#h-from', shanghai(minute));
  await page.fill('#h-to', shanghai(minute + 60_000));
  await page.click('[data-testid=history-apply]');
  await waitFor('the window', async () => (fromUrl(page.url(), 'from') === String(minute) && (await rows.count()) === 1 ? true : undefined), 10_000).catch(() => undefined);
  t.equal(fromUrl(page.url(), 'from'), String(minute), 'the window starts at the raise\'s minute');
  t.same(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq')))), [raise.seq], 'the raise is found');
  const shown = await rows.first().locator('td').first().textContent();
  t.match(shown, shanghai(raise.atMs).slice(11, 16), `its time is shown in Shanghai time too (${shown})`);

  // The window is tight: the minute after it finds nothing.
  await page.fill('#h-from', shanghai(minute + 60_000));
  await page.fill('#h-to', shanghai(minute + 120_000));
  await page.click('[data-testid=history-apply]');
  await waitFor('empty', async () => ((await rows.count()) === 0 ? true : undefined), 10_000).catch(() => undefined);
  t.equal(await rows.count(), 0, 'the minute after finds nothing');
  t.same(errors, [], 'no script errors');
});
