/**
 * Chinese all the way (real headless Chromium, real collector, agent and simulated drive): with the
 * UI in Chinese, a ticket's priority reason, its fault message and remedy (the adapter's Chinese texts)
 * and its knowledge-base remedy are Chinese, the console's message is too, and the telemetry chart's time axis follows
 * the UI language and time zone (24-hour zh-CN labels, no US "2:30pm" or "12/7"); back in English
 * the same reason reads in English. The axis is drawn on a canvas, so the chart keeps its labels on
 * the host (data-x-labels). Screenshot: tests/output/screenshots/ticket-zh.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, startBrowserStack } from './browser-stack.js';

const SHOTS = join(process.cwd(), 'tests', 'output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const HAN = /[\u4e00-\u9fff]/;

t.setTimeout(180_000);

t.test('a ticket in the Chinese UI: priority reason and chart axis in Chinese', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  stack.sim!.model.injectFault(1);
  const ticket = await waitFor('the trip\'s ticket', async () => {
    const { tickets } = await stack.api<{ tickets: Array<{ id: number; device: string; code: string; priorityReason?: string }> }>('admin', '/api/tickets');
    return tickets.find((x) => x.device === DEVICE && x.code === 'vfd.overcurrent');
  }, 30_000);

  const { page } = await stack.login('operator');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.click('[data-testid=lang-toggle]');
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the UI is in Chinese');
  await page.goto(`${stack.baseUrl}/tickets/${ticket.id}`);
  const reason = page.locator('[data-testid=priority-reason]');
  await reason.waitFor({ timeout: 15_000 });
  const zhReason = (await reason.textContent()) ?? '';
  t.match(zhReason, HAN, `the priority reason is Chinese: ${zhReason}`);
  t.match(zhReason, /^P1: 严重级故障，资产关键度 [ABC]/, 'severity and criticality put into Chinese');
  t.notMatch(zhReason, /severity|criticality/, 'no English words left');

  // The fault's message and remedy and its knowledge-base entry come from the adapter's Chinese texts.
  await page.waitForFunction('document.querySelector("[data-testid=remedy]") && /[\\u4e00-\\u9fff]/.test(document.querySelector("[data-testid=remedy]").textContent)', undefined, { timeout: 10_000 })
    .catch(() => undefined);
  const remedy = (await page.textContent('[data-testid=remedy]')) ?? '';
  t.equal(remedy, '检查电机和电缆是否对地短路；若在加速时跳闸，加长 accel_time。', 'the remedy is the adapter\'s Chinese');
  const kbRemedy = (await page.locator('[data-testid=kb-remedy]').first().textContent()) ?? '';
  t.match(kbRemedy, HAN, `the knowledge-base remedy is Chinese: ${kbRemedy}`);
  t.match(await page.textContent('ol.timeline') ?? '', /输出过流跳闸/, 'the timeline shows the fault message in Chinese');

  const host = page.locator('[data-x-labels]').first();
  await host.waitFor({ state: 'attached', timeout: 20_000 });
  const labels = ((await host.getAttribute('data-x-labels')) ?? '').split('|').filter((x) => x !== '');
  t.ok(labels.length > 0, `the time axis has labels: ${labels.join(', ')}`);
  t.ok(labels.every((l) => /^\d{2}:\d{2}(:\d{2}(\.\d)?)?$/.test(l) || /\d+月\d+日/.test(l)), 'every label is a zh-CN time (24-hour) or date');
  t.notOk(labels.some((l) => /am|pm|\d+\/\d+/i.test(l)), 'no US-style am/pm or month/day labels');
  t.equal(new Set(labels).size, labels.length, 'no two ticks carry the same label');
  await page.screenshot({ path: join(SHOTS, 'ticket-zh.png'), fullPage: true });

  await page.goto(`${stack.baseUrl}/alarms`);
  const msg = page.locator('.arow[data-code="vfd.overcurrent"] .c.msg');
  await msg.waitFor({ timeout: 15_000 });
  await page.waitForFunction('/输出过流跳闸/.test(document.querySelector(\'.arow[data-code="vfd.overcurrent"] .c.msg\').textContent)', undefined, { timeout: 10_000 }).catch(() => undefined);
  t.equal((await msg.textContent())?.trim(), '输出过流跳闸', 'the console shows the fault message in Chinese');

  await page.goto(`${stack.baseUrl}/tickets/${ticket.id}`);
  await reason.waitFor({ timeout: 15_000 });
  await page.click('[data-testid=lang-toggle]');
  t.equal((await page.textContent('[data-testid=remedy]')) ?? '', 'Check the motor and cable for a short to earth; lengthen accel_time if it trips while accelerating.', 'back in English: the stored English remedy');
  const enReason = (await reason.textContent()) ?? '';
  t.match(enReason, /^P1: critical severity on a criticality-[ABC] asset/, `back in English: ${enReason}`);
  t.same(errors, [], 'no script errors');
});
