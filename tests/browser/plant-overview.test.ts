/**
 * The plant overview and a device's last-known values and trends in real headless Chromium against
 * a real stack (collector, simulated drive, real agent): an operator lands on the overview, sees the
 * drive's condition and key values with unit, quality and age, a value change and an alarm arrive
 * live (no reload); the device page shows stored values before anyone pulls live, follows them live,
 * and draws trends with the fault, the acknowledgement and a write marked; a viewer gets the same
 * read-only; Chinese text; the drive's link loss shows as such.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, SITE, startBrowserStack } from './browser-stack.js';
import { pageErrors } from './page-errors.js';

const SHOTS = join(process.cwd(), 'tests', 'output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

interface AlarmJson { id: number; code: string; state: string }
interface MarksJson { marks: Array<{ kind: string; what: string }> }

t.setTimeout(240_000);

t.test('plant overview, last-known values and trends', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  // Script errors and CSP violations fail the test.
  const { errors, watch } = pageErrors();
  const row = (page: Page) => page.locator(`tr.plant-row[data-device="${DEVICE}"]`);
  const textOf = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? '';

  await t.test('an operator lands on the overview and sees values and an alarm arrive live', async (t) => {
    const { page } = await stack.login('operator');
    watch(page, 'operator');
    await page.waitForURL('**/plant');
    t.equal(await page.textContent('h1'), 'Plant overview', 'the operator\'s landing page');
    await page.waitForSelector('.live-open', { timeout: 10_000 });
    await row(page).waitFor({ timeout: 10_000 });
    t.equal(await page.locator(`tr.site-row th:has-text("${SITE}")`).count(), 1, 'devices are grouped under their site');
    t.equal(await row(page).getAttribute('data-state'), 'normal', 'a healthy drive is normal');
    t.same(await row(page).locator('.pv').evaluateAll((els) => els.map((e) => e.getAttribute('data-param'))),
      ['output_frequency', 'motor_current', 'dc_bus_voltage'], 'its key values: the first measured parameters');
    const voltage = row(page).locator('.pv[data-param="dc_bus_voltage"]');
    await waitFor('a stored value', async () => (/ V$/.test((await voltage.locator('.pv-value').textContent()) ?? '') ? true : undefined), 10_000);
    t.equal(await voltage.getAttribute('data-quality'), 'good', 'with its quality');
    t.match(await voltage.locator('.pv-age').textContent(), /\d+s ago/, 'and its age');
    await page.evaluate(() => { (globalThis as unknown as { flMark: number }).flMark = 7; });

    sim.model.force('dc_bus_voltage', 612.3);
    await waitFor('the forced value on the overview', async () => ((await voltage.locator('.pv-value').textContent()) === '612.3 V' ? true : undefined), 10_000);
    t.pass('a value change arrives live');
    await waitFor('a sparkline', async () => (Number(await row(page).locator('svg.spark').getAttribute('data-points')) >= 2 ? true : undefined), 10_000);
    t.pass('the row draws a sparkline');

    sim.model.injectFault(1);
    await waitFor('the alarm on the overview', async () => (/^P[1-4]$/.test((await row(page).getAttribute('data-state')) ?? '') ? true : undefined), 15_000);
    const state = (await row(page).getAttribute('data-state')) as string;
    t.pass(`the drive shows in alarm by priority (${state})`);
    t.match(await row(page).locator('.cond-why').textContent(), /vfd\.overcurrent/, 'with the fault that puts it there');
    t.equal(await textOf(page, `[data-testid="count-${state}"]`), '1', 'the condition counts show it');
    await page.click(`button[data-condition="normal"]`);
    t.equal(await row(page).count(), 0, 'filtering by Normal hides it');
    await page.click(`button[data-condition="${state}"]`);
    t.equal(await row(page).count(), 1, `filtering by ${state} shows it`);
    t.equal(await page.evaluate(() => (globalThis as unknown as { flMark?: number }).flMark), 7, 'all without a reload');
    await page.screenshot({ path: join(SHOTS, 'plant-overview.png'), fullPage: true });

    await page.click('[data-testid=lang-toggle]');
    t.equal(await page.textContent('h1'), '工厂总览', 'the overview in Chinese');
    await row(page).waitFor();
    t.match(await row(page).locator('.cond').textContent(), /报警 P[1-4]/, 'the condition in Chinese');
    await page.click('[data-testid=lang-toggle]');
  });

  await t.test('the device page shows last-known values before any pull, live, and trends with marks', async (t) => {
    const alarm = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((a) => a.code === 'vfd.overcurrent')!;
    await stack.api('operator', `/api/alarms/${alarm.id}/ack`, { method: 'POST', body: {} });
    await stack.api('engineer', `/api/devices/${SITE}/${DEVICE}/write`, { method: 'POST', body: { values: [{ name: 'frequency_setpoint', value: 41.5 }], confirm: true } });

    const { page } = await stack.login('engineer');
    watch(page, 'engineer');
    await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
    const cell = page.locator('[data-testid="latest-dc_bus_voltage"]');
    await waitFor('the last-known value', async () => ((await cell.locator('.lv-value').textContent()) === '612.3 V' ? true : undefined), 10_000);
    t.equal(await page.textContent('[data-testid="live-dc_bus_voltage"]'), '—', 'nobody pulled live: the live column is empty, the last value is not');
    t.equal(await cell.getAttribute('data-quality'), 'good');
    t.match(await cell.locator('.lv-age').textContent(), /ago/, 'with its age');
    sim.model.force('dc_bus_voltage', 598.7);
    await waitFor('the value to follow live', async () => ((await cell.locator('.lv-value').textContent()) === '598.7 V' ? true : undefined), 10_000);
    t.pass('the last value follows the telemetry live');
    sim.model.release('dc_bus_voltage');

    const trends = page.locator('[data-testid=trends]');
    await trends.locator('[data-testid=chart] canvas').first().waitFor({ timeout: 10_000 });
    // 1 h in 300 buckets is 12 s each, aligned to the epoch: a stack this young may have all its telemetry in one.
    t.ok(Number(await trends.locator('[data-testid=chart]').getAttribute('data-points')) >= 1, 'the trend has points');
    t.ok(await trends.locator('input[data-param="output_frequency"]').isChecked(), 'starts with the first measured parameters');
    await trends.locator('input[data-param="heatsink_temperature"]').check();
    await waitFor('a third series', async () => ((await trends.locator('.u-legend .u-series').count()) >= 4 ? true : undefined), 10_000);
    t.pass('several parameters on one time axis');
    const marks = await waitFor('the marks', async () => {
      const n = Number(await trends.locator('[data-testid=trend-marks]').getAttribute('data-marks'));
      return n >= 3 ? n : undefined;
    }, 10_000).catch(() => undefined);
    const fromMs = Date.now() - 3_600_000;
    const api = await stack.api<MarksJson>('viewer', `/api/devices/${SITE}/${DEVICE}/marks?fromMs=${fromMs}&toMs=${Date.now() + 1000}`);
    t.same([...new Set(api.marks.map((m) => m.kind))].sort(), ['acknowledge', 'raise', 'write'], 'the fault, its acknowledgement and the write are marked');
    t.ok(api.marks.some((m) => m.kind === 'write' && m.what.includes('frequency_setpoint=41.5')), 'the write names what was written');
    t.ok(marks !== undefined && marks >= 3, `the chart marks them (${marks})`);
    await trends.locator('button[data-range="8h"]').click();
    await waitFor('8 h selected', async () => ((await trends.locator('button[data-range="8h"]').getAttribute('aria-pressed')) === 'true' ? true : undefined));
    await trends.locator('[data-testid=trend-earlier]').click();
    t.notOk(await trends.locator('[data-testid=trend-later]').isDisabled(), 'panned back: Later is offered');
    await page.screenshot({ path: join(SHOTS, 'device-trends.png'), fullPage: true });

    const bad = await fetch(`${stack.baseUrl}/api/devices/${SITE}/${DEVICE}/trend?fromMs=10&toMs=5`, { headers: stack.callers.viewer.headers });
    t.equal(bad.status, 400, 'a backwards trend window is refused');
    t.equal(((await bad.json()) as { error: { code: string } }).error.code, 'FL_ERR_API_BAD_REQUEST');
  });

  await t.test('a viewer sees the overview and trends read-only', async (t) => {
    const { page } = await stack.login('viewer');
    watch(page, 'viewer');
    await page.waitForURL('**/plant');
    await row(page).waitFor();
    await row(page).locator('a').first().click();
    await page.waitForURL(`**/devices/${SITE}/${DEVICE}`);
    await page.locator('[data-testid=trends] [data-testid=chart] canvas').first().waitFor({ timeout: 10_000 });
    t.equal(await page.locator('[data-testid^="write-"]').count(), 0, 'no write control');
    t.equal(await page.locator('[data-testid=pull-live]').count(), 0, 'no live pull');
    t.match(await page.locator('[data-testid="latest-motor_current"] .lv-value').textContent(), / A$/, 'last-known values for viewers too');
  });

  await t.test('a lost link shows as such', async (t) => {
    const { page } = await stack.login('operator');
    watch(page, 'operator (link)');
    await page.waitForURL('**/plant');
    await row(page).waitFor();
    sim.model.clearFault();
    const alarm = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((a) => a.code === 'vfd.overcurrent')!;
    await waitFor('the alarm to clear', async () => ((await stack.api<AlarmJson>('operator', `/api/alarms/${alarm.id}`)).state === 'normal' ? true : undefined), 15_000);
    await waitFor('the drive back to normal', async () => ((await row(page).getAttribute('data-state')) === 'normal' ? true : undefined), 10_000);
    await stack.agent!.stop();
    await waitFor('link lost', async () => ((await row(page).getAttribute('data-state')) === 'link-lost' ? true : undefined), 15_000);
    t.pass('the drive shows its link lost, live');
    t.match(await row(page).locator('.pv[data-param="motor_current"] .pv-value').textContent(), / A$/, 'its last-known values stay');
  });

  t.same(errors, [], 'no script errors in any page');
});
