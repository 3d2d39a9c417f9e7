/**
 * Tablet and laptop sizes (real headless Chromium, real collector, agent and simulated drive): at
 * 1024×768 and 1366×768 the alarm console, the ticket board, a ticket page, the plant overview
 * and the alarm history show every row's controls and cells whole. The console's table clips inside its own scroll container, so a check
 * of the page width alone misses a cut-off Acknowledge button: each control and cell is checked
 * against the viewport and against every ancestor that clips (overflow other than visible), and
 * text cells must not be ellipsized (scrollWidth <= clientWidth). Horizontal only: scrolling down
 * a long list is fine. Screenshots go to tests/output/screenshots/fit-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, startBrowserStack } from './browser-stack.js';

const SHOTS = join(process.cwd(), 'tests', 'output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const SIZES = [{ width: 1024, height: 768 }, { width: 1366, height: 768 }] as const;

interface Clip { what: string; why: string }

/**
 * Every element matching `selector` inside `root` that is rendered: its box within the viewport
 * and within each clipping ancestor, and its text not cut (scrollWidth <= clientWidth). Returns
 * what is clipped, described. (A string: the test compiles without the DOM library.)
 */
async function clipped(page: Page, root: string, selector: string): Promise<Clip[]> {
  const script = `(() => {
    const out = [];
    const vw = document.documentElement.clientWidth;
    const name = (el) => {
      const row = el.closest('[data-alarm-id],[data-ticket-id],[data-device],[data-seq]');
      const where = row ? (row.getAttribute('data-code') || row.getAttribute('data-ticket-id') || row.getAttribute('data-device') || '') : '';
      return el.tagName.toLowerCase() + '.' + String(el.className || '').replace(/\\s+/g, '.') + ' [' + where + '] "' + (el.textContent || '').trim().slice(0, 30) + '"';
    };
    for (const r of document.querySelectorAll(${JSON.stringify(root)})) {
      for (const el of r.querySelectorAll(${JSON.stringify(selector)})) {
        const b = el.getBoundingClientRect();
        // Screen-reader-only text (.sr) is clipped on purpose.
        if (b.width === 0 || b.height === 0 || el.closest('.sr')) continue;
        if (b.left < -0.5 || b.right > vw + 0.5) out.push({ what: name(el), why: 'outside the viewport: ' + Math.round(b.left) + '..' + Math.round(b.right) + ' of ' + vw });
        for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
          const ox = getComputedStyle(a).overflowX;
          if (ox === 'visible') continue;
          const ab = a.getBoundingClientRect();
          if (b.left < ab.left - 0.5 || b.right > ab.right + 0.5) {
            out.push({ what: name(el), why: 'clipped by ' + a.tagName.toLowerCase() + '.' + String(a.className || '') + ' (overflow-x ' + ox + '): ' + Math.round(b.left) + '..' + Math.round(b.right) + ' in ' + Math.round(ab.left) + '..' + Math.round(ab.right) });
            break;
          }
        }
        if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.push({ what: name(el), why: 'text cut: scrollWidth ' + el.scrollWidth + ' > clientWidth ' + el.clientWidth });
      }
    }
    return out;
  })()`;
  return page.evaluate<Clip[]>(script);
}

const report = (list: Clip[]): string => list.slice(0, 12).map((c) => `${c.what}: ${c.why}`).join('\n');

t.setTimeout(240_000);

t.test('console, board, ticket page, plant overview and alarm history fit tablet and laptop widths', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  // Two alarms (a trip and a hot heatsink), each with its ticket.
  sim.model.injectFault(1);
  sim.model.force('heatsink_temperature', 95);
  const tickets = await waitFor('two tickets', async () => {
    const { tickets: list } = await stack.api<{ tickets: Array<{ id: number; device: string }> }>('admin', '/api/tickets');
    const mine = list.filter((x) => x.device === DEVICE);
    return mine.length >= 2 ? mine : undefined;
  }, 30_000);

  for (const size of SIZES) {
    await t.test(`${size.width}×${size.height}`, async (t) => {
      const { page, context } = await stack.login('operator', { viewport: size });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      await page.goto(`${stack.baseUrl}/alarms`);
      await page.waitForSelector('.arow[data-code="vfd.overcurrent"]', { timeout: 15_000 });
      await page.waitForSelector('.arow[data-code="vfd.heatsink_hot"]', { timeout: 15_000 });
      t.ok(await page.locator('[data-testid=alarm-rows] button[data-action=ack]').count() >= 2, 'each unacknowledged row has its Acknowledge button');
      await page.screenshot({ path: join(SHOTS, `fit-console-${size.width}.png`) });
      const consoleClips = await clipped(page, '[data-testid=alarm-rows]', '.c, button, a, input, .state-badge, time');
      t.same(consoleClips, [], `console: every row's controls and cells whole at ${size.width} px\n${report(consoleClips)}`);
      const headClips = await clipped(page, '.page-head, .toolbar, .banner', 'button, input, label, select, h1');
      t.same(headClips, [], `console: toolbar whole at ${size.width} px\n${report(headClips)}`);

      await page.goto(`${stack.baseUrl}/tickets`);
      await page.waitForSelector('.ticket-card', { timeout: 15_000 });
      await page.screenshot({ path: join(SHOTS, `fit-board-${size.width}.png`) });
      const boardClips = await clipped(page, '.tickets-page', '.ticket-card, .ticket-card a, .ticket-card .sla, .column h2, select, input');
      t.same(boardClips, [], `board: every card and column whole at ${size.width} px\n${report(boardClips)}`);

      await page.goto(`${stack.baseUrl}/tickets/${tickets[0]!.id}`);
      await page.waitForSelector('h1', { timeout: 15_000 });
      await page.waitForSelector('dl.facts', { timeout: 15_000 });
      await page.screenshot({ path: join(SHOTS, `fit-ticket-${size.width}.png`), fullPage: true });
      const ticketClips = await clipped(page, 'main', 'button, a, input, select, dd, dt, h1, h2, label');
      t.same(ticketClips, [], `ticket page: every control whole at ${size.width} px\n${report(ticketClips)}`);

      await page.goto(`${stack.baseUrl}/plant`);
      await page.waitForSelector(`tr.plant-row[data-device="${DEVICE}"] .pv-age`, { timeout: 15_000 });
      await page.waitForSelector(`tr.plant-row[data-device="${DEVICE}"] svg.spark`, { timeout: 15_000 });
      await page.screenshot({ path: join(SHOTS, `fit-plant-${size.width}.png`), fullPage: true });
      const plantClips = await clipped(page, '.plant-table', 'td, th, a, .cond, .pv, .pv-value, .pv-age, .tag, svg');
      t.same(plantClips, [], `plant overview: every row's cells, values and sparkline whole at ${size.width} px\n${report(plantClips)}`);
      const plantHead = await clipped(page, '.plant-page .page-head, .plant-tools, .pager', 'button, input, label, select, h1, p');
      t.same(plantHead, [], `plant overview: condition filters, site and search whole at ${size.width} px\n${report(plantHead)}`);

      await page.goto(`${stack.baseUrl}/alarms/history`);
      await page.waitForSelector('[data-testid=history-rows] tr[data-code="vfd.overcurrent"]', { timeout: 15_000 });
      await page.screenshot({ path: join(SHOTS, `fit-history-${size.width}.png`), fullPage: true });
      const historyClips = await clipped(page, '.history-table', 'td, th');
      t.same(historyClips, [], `alarm history: every row's cells whole at ${size.width} px\n${report(historyClips)}`);
      const historyHead = await clipped(page, '.history-page .page-head, .history-filters', 'button, a, input, label, select, h1');
      t.same(historyHead, [], `alarm history: every filter and button whole at ${size.width} px\n${report(historyHead)}`);

      t.same(errors, [], 'no script errors');
      await context.close();
    });
  }
});
