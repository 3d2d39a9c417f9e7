/**
 * The dashboard in real headless Chromium against a real stack (collector + simulated drive + real
 * agent): log in, a live alarm arrives without reload, acknowledge it, its ticket's telemetry chart,
 * live parameters pulled twice (the second shows a changed register), a confirmed parameter write,
 * what a viewer sees and what the server refuses them, Chinese UI text. Screenshots of the main
 * pages go to tests/output/screenshots/ for review.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, SITE, startBrowserStack, type BrowserStack } from './browser-stack.js';
import { pageErrors } from './page-errors.js';

const SHOTS = join(process.cwd(), 'tests', 'output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

interface AlarmJson { id: number; code: string; device: string; state: string; ticket: { id: number; number: string } | null }

t.setTimeout(240_000);

t.test('the dashboard against a real collector, agent and simulated drive', async (t) => {
  const stack: BrowserStack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  // Script errors and CSP violations fail the test.
  const { errors, watch } = pageErrors();

  let alarm: AlarmJson | undefined;

  await t.test('an operator logs in, sees a live alarm arrive and acknowledges it', async (t) => {
    const { page } = await stack.login('operator');
    watch(page, 'operator');
    // Operators land on the plant overview (plant-overview.test.ts); the console is one click away.
    await page.waitForURL('**/plant');
    await page.click('nav a[href="/alarms"]');
    await page.waitForURL('**/alarms');
    t.equal(await page.textContent('h1'), 'Alarm console', 'the operator lands on the alarm console');
    t.equal(await page.inputValue('#tz-select'), 'Europe/Berlin', 'times are shown in the browser\'s time zone');
    await page.waitForSelector('.live-open', { timeout: 10_000 });
    // Mark this document: a reload would lose the mark.
    await page.evaluate(() => { (globalThis as unknown as { flMark: number }).flMark = 42; });

    sim.model.injectFault(1);
    const row = page.locator('.arow[data-code="vfd.overcurrent"]');
    await row.waitFor({ timeout: 15_000 });
    t.equal(await row.getAttribute('data-state'), 'active-unacknowledged', 'the alarm arrives unacknowledged');
    t.equal(await page.evaluate(() => (globalThis as unknown as { flMark?: number }).flMark), 42, 'it arrived without a reload (live stream)');
    t.match(await row.getAttribute('class'), /prio-P1/, 'coloured by its priority');

    alarm = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((a) => a.code === 'vfd.overcurrent');
    t.ok(alarm, 'the API has the alarm');
    await shot(page, 'console');

    await row.locator('button[data-action=ack]').click();
    await page.waitForSelector('.arow[data-code="vfd.overcurrent"][data-state="active-acknowledged"]', { timeout: 10_000 });
    const after = await stack.api<AlarmJson>('operator', `/api/alarms/${alarm!.id}`);
    t.equal(after.state, 'active-acknowledged', 'the server recorded the acknowledgement');
    t.equal(await row.locator('button[data-action=ack]').count(), 0, 'no acknowledge button once acknowledged');

    // Keyboard: focus the row, S opens the shelve dialog; a reason and a duration shelve it.
    await row.locator('.c.code').click();
    await page.keyboard.press('s');
    await page.fill('#shelve-reason', 'motor being replaced');
    await page.selectOption('#shelve-duration', '30');
    await page.click('dialog button[type=submit]');
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    t.equal((await stack.api<AlarmJson>('operator', `/api/alarms/${alarm!.id}`)).state, 'shelved', 'shelved from the keyboard, hidden from the console');
    // Show shelved, tick it, unshelve with a reason.
    await page.click('text=Show shelved');
    await row.locator('input[type=checkbox]').check();
    await page.click('.toolbar button:has-text("Unshelve")');
    await page.fill('#shelve-reason', 'motor replaced');
    await page.click('dialog button[type=submit]');
    const unshelved = await waitFor('the alarm to leave the shelf', async () => {
      const a = await stack.api<AlarmJson>('operator', `/api/alarms/${alarm!.id}`);
      return a.state === 'shelved' ? undefined : a;
    }, 10_000);
    await page.waitForSelector(`.arow[data-code="vfd.overcurrent"][data-state="${unshelved.state}"]`, { timeout: 10_000 });
    t.pass(`unshelved through the selection (now ${unshelved.state})`);
  });

  await t.test('an engineer opens the ticket and sees the telemetry chart', async (t) => {
    const ticket = await waitFor('the alarm to name its ticket', async () => {
      const a = await stack.api<AlarmJson>('engineer', `/api/alarms/${alarm!.id}`);
      return a.ticket ?? undefined;
    });
    const { page } = await stack.login('engineer');
    watch(page, 'engineer');
    await page.waitForURL('**/tickets');
    const card = page.locator(`li[data-ticket-id="${ticket.id}"]`);
    await card.waitFor();
    await shot(page, 'tickets');
    await card.locator('a.number').click();
    await page.waitForURL(`**/tickets/${ticket.id}`);
    const canvas = page.locator('[data-testid=chart] canvas').first();
    await canvas.waitFor({ timeout: 10_000 });
    const points = Number(await page.getAttribute('[data-testid=chart]', 'data-points'));
    t.ok(points > 5, `the chart has data (${points} time points)`);
    const box = await canvas.boundingBox();
    t.ok(box && box.width > 200 && box.height > 100, 'the canvas is drawn at a readable size');
    t.match(await page.textContent('h1'), ticket.number, 'the ticket page shows the ticket');
    t.ok(await page.locator('ol.timeline li').count() >= 1, 'the timeline lists the fault event');
    await shot(page, 'ticket');

    await t.test('pulls live parameters twice and sees the changed register', async (t) => {
      await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
      await page.waitForSelector('[data-testid=pull-live]');
      sim.model.force('dc_bus_voltage', 612.3);
      await page.click('[data-testid=pull-live]');
      const cell = page.locator('[data-testid="live-dc_bus_voltage"]');
      await waitFor('the first live value', async () => ((await cell.textContent())?.startsWith('612.3') ? true : undefined), 10_000);
      t.match(await page.textContent('[data-testid=live-meta]'), /Read live at/, 'the read time is shown');
      t.ok(await page.locator('tr[data-param="dc_bus_voltage"] time').count() === 1, 'each value has its timestamp');

      sim.model.force('dc_bus_voltage', 598.7);
      await page.click('[data-testid=pull-live]');
      await waitFor('the changed live value', async () => ((await cell.textContent())?.startsWith('598.7') ? true : undefined), 10_000);
      t.pass('a second pull shows the register\'s new value');
      sim.model.release('dc_bus_voltage');
      await shot(page, 'device');
    });

    await t.test('writing a parameter asks for confirmation', async (t) => {
      await page.click('[data-testid="write-frequency_setpoint"]');
      t.match(await page.textContent('[data-testid=write-range]'), /0 to 120 Hz/, 'the dialog shows the range the adapter allows');
      await page.fill('#write-value', '700');
      t.ok(await page.isDisabled('dialog button[type=submit]'), 'a value outside it cannot be sent');
      await page.fill('#write-value', '42.5');
      await page.click('dialog button[type=submit]');
      t.match(await page.textContent('dialog .warn-box'), /42\.5/, 'the confirmation names the value');
      await page.click('[data-testid=confirm-write]');
      await page.waitForSelector('dialog', { state: 'detached', timeout: 10_000 });
      const cell = page.locator('[data-testid="live-frequency_setpoint"]');
      await waitFor('the written value read back', async () => ((await cell.textContent())?.startsWith('42.5') ? true : undefined), 5000);
      t.pass('the written value is read back');
    });
  });

  await t.test('a viewer sees no ack or write controls, the server refuses a forced request, and a logout elsewhere signs the page out', async (t) => {
    const { context, page } = await stack.login('viewer');
    watch(page, 'viewer');
    await page.waitForURL('**/plant');
    await page.click('nav a[href="/alarms"]');
    await page.waitForSelector('.arow[data-code="vfd.overcurrent"]');
    t.equal(await page.locator('[data-testid=ack-selected]').count(), 0, 'no bulk acknowledge');
    t.equal(await page.locator('button[data-action=ack]').count(), 0, 'no acknowledge button');
    t.equal(await page.locator('.alarms input[type=checkbox]').count(), 0, 'no selection');
    await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
    await page.waitForSelector('tr[data-param="frequency_setpoint"]');
    t.equal(await page.locator('[data-testid=pull-live]').count(), 0, 'no live pull');
    t.equal(await page.locator('[data-testid^="write-"]').count(), 0, 'no write control');
    const forced = await page.evaluate(async (id) => {
      const me = await (await fetch('/api/auth/me')).json() as { csrfToken: string };
      const post = async (url: string, body: unknown) => {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(body) });
        return { status: r.status, code: ((await r.json()) as { error?: { code?: string } }).error?.code };
      };
      return {
        ack: await post(`/api/alarms/${id}/ack`, {}),
        write: await post('/api/devices/plant-a/drive-7/write', { values: [{ name: 'frequency_setpoint', value: 10 }], confirm: true }),
      };
    }, alarm!.id);
    t.same(forced.ack, { status: 403, code: 'FL_ERR_FORBIDDEN' }, 'a forced acknowledge is refused');
    t.same(forced.write, { status: 403, code: 'FL_ERR_FORBIDDEN' }, 'a forced write is refused');

    // The same session logged out elsewhere (another tab): the open page is told over the live stream
    // and shows the login page by itself, without the viewer clicking anything.
    await page.click('nav a[href="/alarms"]');
    await page.waitForSelector('.arow[data-code="vfd.overcurrent"]');
    const cookie = (await context.cookies()).find((c) => c.name === 'fl_session');
    const csrf = await page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { csrfToken: string }).csrfToken);
    const out = await fetch(`${stack.baseUrl}/api/auth/logout`, { method: 'POST', headers: { cookie: `fl_session=${cookie?.value ?? ''}`, 'x-csrf-token': csrf } });
    t.ok(out.ok, 'logged out from outside the page');
    await page.waitForSelector('form.login [role=alert]', { timeout: 10_000 });
    t.match(await page.textContent('form.login [role=alert]'), /session has ended/, 'the page says the session ended');
  });

  await t.test('an admin switches to Chinese; reports and admin pages render', async (t) => {
    const { page } = await stack.login('admin');
    watch(page, 'admin');
    await page.waitForURL('**/alarms');
    await page.click('[data-testid=lang-toggle]');
    t.equal(await page.textContent('h1'), '报警控制台', 'the console title in Chinese');
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the document language follows');
    await page.waitForSelector('.arow[data-code="vfd.overcurrent"]');
    await shot(page, 'console-zh');
    await page.click('[data-testid=lang-toggle]');
    t.equal(await page.textContent('h1'), 'Alarm console', 'and back to English');

    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('[data-testid=chart] canvas', { timeout: 10_000 });
    t.ok(await page.locator('[data-testid=csv-export]').getAttribute('href'), 'a CSV export link');
    await shot(page, 'reports');

    await page.click('nav a[href="/admin"]');
    await page.waitForSelector('text=olga');
    await page.fill('#pv-site', 'plant-b');
    await page.fill('#pv-dev', 'press-1');
    await page.click('#pv-dev >> xpath=ancestor::form//button[@type="submit"]');
    const issued = page.locator('[data-testid=issued-credential]');
    await issued.waitFor();
    t.match(await issued.textContent(), /password: \S{8,}/, 'the new device credential is shown once');
    await shot(page, 'admin');

    await page.setViewportSize({ width: 820, height: 1180 });
    await page.click('nav a[href="/alarms"]');
    await page.waitForSelector('.arow[data-code="vfd.overcurrent"]');
    await shot(page, 'console-tablet');
  });

  await t.test('a pull from a device whose agent is gone says so', async (t) => {
    sim.model.clearFault();
    await stack.agent!.stop();
    const { page } = await stack.login('engineer');
    watch(page, 'engineer (offline)');
    await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
    await page.click('[data-testid=pull-live]');
    const error = page.locator('[data-testid=live-error]');
    await error.waitFor({ timeout: 15_000 });
    t.match(await error.textContent(), /offline|did not answer/, `a clear error: ${await error.textContent()}`);
  });

  t.same(errors, [], 'no script errors in any page');
});
