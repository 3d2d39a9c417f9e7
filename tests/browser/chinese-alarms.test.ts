/**
 * Chinese all the way, past the console and the ticket page (issue #16), in real headless Chromium
 * against a real stack (collector, agent, simulated drive): with the UI in Chinese, the plant
 * overview's alarm, the alarm page (message and timeline), the alarm history's reasons and the
 * ticket title (built by the desk from the fault message) show the adapter's Chinese text, with no
 * English fault message left; back in English the stored English shows again.
 * Screenshot: tests/output/screenshots/alarm-history-zh.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, startBrowserStack } from './browser-stack.js';

const SHOTS = join(process.cwd(), 'tests', 'output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const EN = 'Output overcurrent trip';
const ZH = '输出过流跳闸';

t.setTimeout(180_000);

/** Waits up to 10 s for the page to show what the next assertion checks (the assertion then says what it shows). */
const settle = (ok: () => Promise<boolean>): Promise<unknown> => waitFor('the page', async () => ((await ok()) ? true : undefined), 10_000).catch(() => undefined);

t.test('plant overview, alarm page, alarm history and ticket titles in Chinese', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  sim.model.injectFault(1);
  const alarm = await waitFor('the alarm', async () => (await stack.api<{ alarms: Array<{ id: number; code: string }> }>('operator', `/api/alarms?device=${DEVICE}`))
    .alarms.find((a) => a.code === 'vfd.overcurrent'), 15_000);
  const ticket = await waitFor('its ticket', async () => (await stack.api<{ tickets: Array<{ id: number; device: string; code: string; title: string }> }>('admin', '/api/tickets'))
    .tickets.find((x) => x.device === DEVICE && x.code === 'vfd.overcurrent'), 30_000);
  t.equal(ticket.title, `${EN} on ${DEVICE}`, 'the desk built the title from the English message');

  const { page } = await stack.login('operator');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.click('[data-testid=lang-toggle]');
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the UI is in Chinese');

  // Plant overview: the alarm that sets the device's condition names its message in Chinese.
  await page.goto(`${stack.baseUrl}/plant`);
  const why = page.locator(`tr.plant-row[data-device="${DEVICE}"] .cond-why`);
  await why.waitFor({ timeout: 15_000 });
  await settle(async () => (await why.getAttribute('title')) === ZH);
  t.equal(await why.getAttribute('title'), ZH, 'the plant overview\'s alarm message is Chinese');

  // Ticket title on the ticket page, the board and the table.
  const zhTitle = `${DEVICE}：${ZH}`;
  await page.goto(`${stack.baseUrl}/tickets/${ticket.id}`);
  const title = page.locator('[data-testid=ticket-title]');
  await title.waitFor({ timeout: 15_000 });
  await settle(async () => (await title.textContent()) === zhTitle);
  t.equal(await title.textContent(), zhTitle, 'the ticket page\'s title is Chinese');
  await page.goto(`${stack.baseUrl}/tickets`);
  const card = page.locator(`.ticket-card[data-ticket-id="${ticket.id}"] .title`);
  await card.waitFor({ timeout: 15_000 });
  await settle(async () => (await card.textContent()) === zhTitle);
  t.equal(await card.textContent(), zhTitle, 'the board\'s card title is Chinese');
  await page.goto(`${stack.baseUrl}/ticket-list`);
  await settle(async () => (await page.locator('td', { hasText: zhTitle }).count()) > 0);
  t.ok(await page.locator('td', { hasText: zhTitle }).count() > 0, 'the ticket table\'s title is Chinese');

  // The operator acknowledges (no note) and the fault clears.
  await stack.api('operator', `/api/alarms/${alarm.id}/ack`, { method: 'POST', body: {} });
  sim.model.injectFault(0);
  await waitFor('the clear', async () => ((await stack.api<{ state: string }>('operator', `/api/alarms/${alarm.id}`)).state === 'normal' ? true : undefined), 15_000);

  // The alarm page: message and timeline.
  await page.goto(`${stack.baseUrl}/alarms/${alarm.id}`);
  const timeline = page.locator('[data-testid=alarm-timeline]');
  await timeline.locator('li[data-transition=clear]').waitFor({ timeout: 15_000 });
  await settle(async () => (await page.textContent('[data-testid=alarm-message]')) === ZH);
  t.equal(await page.textContent('[data-testid=alarm-message]'), ZH, 'the alarm page\'s message is Chinese');
  t.equal(await timeline.locator('li[data-transition=raise] div').first().textContent(), ZH, 'the timeline\'s raise reads the Chinese message');
  t.equal(await timeline.locator('li[data-transition=clear] div').first().textContent(), '设备报告故障已消失', 'the clear in Chinese');
  t.equal(await timeline.locator('li[data-transition=acknowledge] div').first().textContent(), '由 olga 确认', 'the acknowledgement in Chinese');
  t.notMatch(await page.textContent('main'), EN, 'no English fault message on the alarm page');

  // The alarm history.
  await page.goto(`${stack.baseUrl}/alarms/history?code=vfd.overcurrent`);
  const rows = page.locator('[data-testid=history-rows] tr[data-code="vfd.overcurrent"]');
  await waitFor('three transitions', async () => ((await rows.count()) >= 3 ? true : undefined), 10_000);
  const reasons = async (): Promise<string[]> => rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-transition')}:${e.lastElementChild?.textContent ?? ''}`));
  await settle(async () => ((await page.textContent('[data-testid=history-rows]')) ?? '').includes(ZH));
  t.same(await reasons(), ['clear:设备报告故障已消失', 'acknowledge:由 olga 确认', `raise:${ZH}`], 'every reason the desk wrote is Chinese');
  t.notMatch(await page.textContent('[data-testid=history-rows]'), EN, 'no English fault message in the history');
  await page.screenshot({ path: join(SHOTS, 'alarm-history-zh.png'), fullPage: true });

  await page.click('[data-testid=lang-toggle]');
  await waitFor('English again', async () => ((await reasons()).join('|').includes(EN) ? true : undefined), 10_000);
  t.same(await reasons(), ['clear:device reports the condition gone', 'acknowledge:acknowledged by olga', `raise:${EN}`], 'back in English: the stored English');
  t.same(errors, [], 'no script errors');
});
