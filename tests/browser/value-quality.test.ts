/**
 * Every value carries its quality to the screen (issue #14, item 2), in real headless Chromium
 * against a real stack (collector, simulated drive over Modbus TCP, real agent): when the drive
 * stops answering, the plant overview shows its values bad with why (the device did
 * not answer in time), in English and Chinese; the comm-loss ticket's charts and the device page's
 * trend mark the gaps with why instead of bridging them; and once the agent is gone its last values turn stale (not refreshed in
 * time) on the device page and the overview as the clock moves, instead of looking fresh.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { QUALITY_REASONS } from '../../protocol/values.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { readFileSync } from 'node:fs';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, SITE, startBrowserStack } from './browser-stack.js';

t.setTimeout(240_000);

const dictionary = (lang: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`../../../web/src/i18n/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>;

t.test('every quality reason has its words in English and Chinese', async (t) => {
  const [en, zh] = [dictionary('en'), dictionary('zh')];
  for (const r of QUALITY_REASONS) {
    t.ok(en[`qualityReason.${r}`], `en: ${r}`);
    t.ok(zh[`qualityReason.${r}`], `zh: ${r}`);
  }
});

t.test('bad with why, gaps marked with why, a dead agent\'s values stale', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  const errors: string[] = [];
  const { page } = await stack.login('operator');
  page.on('pageerror', (e) => errors.push(e.message));
  const attr = (sel: string, name: string) => async (p: Page): Promise<string> => (await p.locator(sel).first().getAttribute(name)) ?? '';
  const until = async (what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> => {
    await waitFor(what, async () => ((await probe()) ? true : undefined), ms, 200);
  };

  await page.waitForURL('**/plant');
  const pv = `tr.plant-row[data-device="${DEVICE}"] .pv[data-param="output_frequency"]`;
  await until('a good output frequency on the overview', async () => (await attr(pv, 'data-quality')(page)) === 'good');

  const mutedAt = Date.now();
  // The whole drive falls silent (a block alone going silent is not a link loss: see agent-modbus-silent.test.ts).
  for (const r of vfd.registers) sim.mute(r.table, r.address);
  await until('the overview shows it bad: timeout', async () => (await attr(pv, 'data-quality')(page)) === 'bad' && (await attr(pv, 'data-reason')(page)) === 'timeout');
  t.equal(await page.locator(`${pv} .pv-value`).textContent(), '—', 'no number for a bad value');
  t.equal(await page.locator(`${pv} .q-tag`).textContent(), 'bad: the device did not answer in time', 'the quality and why, in words');
  await page.click('[data-testid=lang-toggle]');
  await until('the Chinese words', async () => (await page.locator(`${pv} .q-tag`).textContent()) === '无效：设备未及时应答');
  t.pass('in Chinese: 无效：设备未及时应答');
  await page.click('[data-testid=lang-toggle]');

  // Long enough that whole 12 s trend buckets (1 h over 300 points) hold only bad readings.
  await new Promise((r) => setTimeout(r, Math.max(0, 28_000 - (Date.now() - mutedAt))));
  sim.unmute();
  await until('good again once the block answers', async () => (await attr(pv, 'data-quality')(page)) === 'good', 60_000);

  // The silence raised a comm-loss fault: its ticket's telemetry charts mark the readings without a value, with why.
  const { tickets } = await stack.api<{ tickets: Array<{ id: number; code: string }> }>('operator', `/api/tickets?device=${DEVICE}&limit=50`);
  const commLoss = tickets.find((x) => x.code === 'agent.modbus_comm_loss');
  t.ok(commLoss, 'the silent drive opened a comm-loss ticket');
  if (commLoss) {
    await page.goto(`${stack.baseUrl}/tickets/${commLoss.id}`);
    const ticketGaps = page.locator('[data-testid="telemetry-gaps"]');
    await ticketGaps.waitFor({ timeout: 20_000 });
    t.match(await ticketGaps.getAttribute('data-reasons'), /timeout/, 'the ticket chart knows why its gaps are there');
    t.match(await ticketGaps.textContent(), /Readings without a value, by why: .*the device did not answer in time ×\d+/, 'and says it, counted by reason');
  }

  await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
  const gaps = page.locator('[data-testid="trend-gaps"]');
  await gaps.waitFor({ timeout: 20_000 });
  t.match(await gaps.getAttribute('data-reasons'), /timeout/, 'the trend has gaps, and says why');
  t.match(await gaps.textContent(), /output_frequency: no value \(the device did not answer in time\)/, 'the gap named, with its reason, in words');
  await page.click('[data-testid=lang-toggle]');
  await until('the gap in Chinese', async () => /output_frequency：无数值（设备未及时应答）/.test((await gaps.textContent()) ?? ''));
  t.pass('in Chinese too');

  const latest = '[data-testid="latest-output_frequency"]';
  await until('a fresh last value on the device page', async () => (await attr(latest, 'data-quality')(page)) === 'good');
  await stack.agent!.stop();
  await until('the dead agent\'s last value turns stale', async () => (await attr(latest, 'data-quality')(page)) === 'stale', 15_000);
  t.equal(await attr(latest, 'data-reason')(page), 'overdue', 'why: not refreshed in time');
  t.match(await page.locator(`${latest} .q-tag`).textContent(), /^过时：未按时刷新$/, 'stale and why, in Chinese');
  t.notSame(await page.locator(`${latest} .lv-value`).textContent(), '—', 'the last value is still shown, marked');
  await page.click('[data-testid=lang-toggle]');
  await until('in English', async () => (await page.locator(`${latest} .q-tag`).textContent()) === 'stale: not refreshed in time');
  t.pass('stale: not refreshed in time');

  await page.goto(`${stack.baseUrl}/plant`);
  await until('the overview shows it stale too', async () => (await attr(pv, 'data-quality')(page)) === 'stale' && (await attr(pv, 'data-reason')(page)) === 'overdue');
  t.pass('the overview marks the dead agent\'s values stale');
  t.same(errors, [], 'no page errors');
});
