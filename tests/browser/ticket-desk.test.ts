/**
 * Working tickets like a desk, in real headless Chromium against a real collector, agent and
 * simulated drive (#16, #15.1): 2,000 open tickets all reachable in the ticket list page by page
 * and all held by the board; sorting by a column; a saved view kept on the server; bulk
 * acknowledge; take, priority override, waiting on the customer (the paused marker, no due time)
 * and resuming (a due time again); a closed ticket shows the time its clocks took, not a clock
 * still running; the viewer gets no controls; the write dialog shows the current value it
 * replaces before the write is confirmed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, SITE, startBrowserStack, type BrowserStack } from './browser-stack.js';
import { pageErrors } from './page-errors.js';

const OPEN = 2000;

/** One team whose members include the stack's engineer (emil), so that he can take tickets. */
const DESK_YAML = `
teams:
  - id: drives
    name: Drive service
    members:
      - { id: emil, tier: L1, skills: [hardware] }
      - { id: lena, tier: L1, skills: [hardware] }
      - { id: omar, tier: L2, skills: [hardware] }
routing:
  defaultTeam: drives
`;

interface TicketJson { id: number; number: string; status: string; priority: string; assignee: string | null }
interface ListJson { tickets: TicketJson[]; total: number; nextCursor: string | null }

t.setTimeout(600_000);

t.test('the ticket desk in the browser', async (t) => {
  const dir = tempDir('faultline-desk-config-');
  t.teardown(dir.remove);
  const configFile = join(dir.path, 'desk.yaml');
  writeFileSync(configFile, DESK_YAML);
  const stack: BrowserStack = await startBrowserStack({ configFile });
  t.teardown(() => stack.stop());
  // Script errors and CSP violations fail the test.
  const { errors, watch } = pageErrors();

  // 2,000 open tickets, eight requests at a time.
  const severities = ['critical', 'major', 'minor', 'warning'] as const;
  for (let i = 0; i < OPEN; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, OPEN - i) }, (_, k) => stack.api('engineer', '/api/tickets', {
      method: 'POST',
      body: { origin: 'phone', reporter: 'switchboard', title: `call ${i + k}`, site: `site-${(i + k) % 5}`, category: 'hardware', severity: severities[(i + k) % 4] },
    })));
  }
  const current = await stack.api<ListJson>('engineer', '/api/tickets?scope=current&limit=1');
  t.ok(current.total >= OPEN, `the API counts ${current.total} tickets not closed`);

  const { page } = await stack.login('engineer');
  watch(page, 'engineer');

  await t.test('every ticket is reachable in the ticket list, page by page', async (t) => {
    await page.goto(`${stack.baseUrl}/ticket-list`);
    await page.waitForSelector('[data-testid=page-range]');
    await page.selectOption('#tt-size', '500');
    await waitFor('pages of 500', async () => ((await page.locator('tbody tr').count()) === 500 ? true : undefined), 20_000);
    t.match(await page.textContent('[data-testid=page-range]'), new RegExp(`1–500 of ${current.total}`), 'the range and the total');
    const seen = new Set<string>();
    for (let pages = 0; pages < 10; pages++) {
      const numbers = await page.locator('tbody tr a.number').allTextContents();
      for (const n of numbers) seen.add(n);
      if (await page.isDisabled('[data-testid=next-page]')) break;
      const firstBefore = numbers[0];
      await page.click('[data-testid=next-page]');
      await waitFor('the next page', async () => ((await page.locator('tbody tr a.number').first().textContent()) !== firstBefore ? true : undefined), 20_000);
    }
    t.equal(seen.size, current.total, `all ${current.total} tickets shown, none twice`);
    t.ok(await page.isDisabled('[data-testid=next-page]'), 'the last page has no next page');
  });

  await t.test('the board holds every ticket, beyond 500', async (t) => {
    const fresh = await stack.api<ListJson>('engineer', '/api/tickets?status=new&limit=1');
    await page.goto(`${stack.baseUrl}/tickets`);
    await waitFor('the board to load every page', async () => ((await page.textContent('#col-new .count')) === String(fresh.total) ? true : undefined), 30_000);
    t.pass(`the New column counts ${fresh.total} tickets`);
    t.equal(await page.locator('#col-new + ul li').count(), 200, 'it shows 200 at first');
    await page.click('[data-testid=more-new]');
    t.equal(await page.locator('#col-new + ul li').count(), 400, 'and 200 more on request');
  });

  await t.test('sort by a column, save the view on the server, apply it again', async (t) => {
    await page.goto(`${stack.baseUrl}/ticket-list`);
    await page.waitForSelector('tbody tr');
    await page.click('button[data-sort=priority]');
    await waitFor('sorted by priority', async () => ((await page.getAttribute('th:has(button[data-sort=priority])', 'aria-sort')) === 'ascending' ? true : undefined));
    await waitFor('P1 first', async () => ((await page.locator('tbody tr .prio').first().textContent()) === 'P1' ? true : undefined));
    await page.selectOption('#tt-priority', 'P3');
    await waitFor('only P3', async () => {
      const p = await page.locator('tbody tr .prio').allTextContents();
      return p.length > 0 && p.every((x) => x === 'P3') ? true : undefined;
    });
    await page.fill('#tt-view-name', 'P3 queue');
    await page.click('[data-testid=save-view]');
    const saved = await stack.api<{ views: Array<{ name: string; settings: Record<string, string> }> }>('engineer', '/api/ticket-views');
    t.match(saved.views, [{ name: 'P3 queue', settings: { priority: 'P3', sort: 'priority', dir: 'asc' } }], 'the view is kept on the server');
    await page.reload();
    await page.waitForSelector('tbody tr');
    t.equal(await page.inputValue('#tt-priority'), '', 'a fresh page starts unfiltered');
    await waitFor('the saved view listed', async () => ((await page.locator('#tt-view option', { hasText: 'P3 queue' }).count()) === 1 ? true : undefined));
    await page.selectOption('#tt-view', 'P3 queue');
    await waitFor('the view applied', async () => {
      const p = await page.locator('tbody tr .prio').allTextContents();
      return (await page.inputValue('#tt-priority')) === 'P3' && p.length > 0 && p.every((x) => x === 'P3') ? true : undefined;
    });
    t.pass('choosing the view applies its filter and sort');
  });

  await t.test('bulk acknowledge: each selected ticket acknowledged and audited on its own', async (t) => {
    const ids = (await page.locator('tbody tr').evaluateAll((rows) => rows.slice(0, 3).map((r) => Number(r.getAttribute('data-ticket-id')))));
    for (const id of ids) await page.check(`tr[data-ticket-id="${id}"] input[type=checkbox]`);
    await page.click('[data-testid=bulk-ack]');
    for (const id of ids) {
      await waitFor(`ticket ${id} acknowledged`, async () => ((await stack.api<TicketJson>('engineer', `/api/tickets/${id}`)).status === 'acknowledged' ? true : undefined));
      const tk = await stack.api<TicketJson>('engineer', `/api/tickets/${id}`);
      const audit = await stack.api<{ records: Array<{ action: string; actor: { id: string } }> }>('engineer', `/api/audit?subject=${tk.number}`);
      t.ok(audit.records.some((r) => r.action === 'acknowledge' && r.actor.id === 'emil'), `${tk.number}: its own audit record, by emil`);
    }
  });

  let ticket: TicketJson | undefined;
  await t.test('take, override the priority, wait on the customer (paused, no due time) and resume', async (t) => {
    ticket = (await stack.api<ListJson>('engineer', '/api/tickets?status=new&limit=1')).tickets[0];
    if (!ticket) throw new Error('no new ticket');
    await page.goto(`${stack.baseUrl}/tickets/${ticket.id}`);
    await page.waitForSelector('[data-testid=take]');
    t.match(await page.textContent('[data-testid=clock-response]'), /left · due /, 'a running clock shows its due time, not only the time left');
    await page.click('[data-testid=take]');
    await waitFor('assigned to emil', async () => ((await page.textContent('.facts'))?.includes('emil (drives, L1)') ? true : undefined));
    t.equal(await page.locator('[data-testid=take]').count(), 0, 'no take button once it is mine');

    await page.click('[data-testid=priority]');
    await page.selectOption('#po-priority', 'P1');
    await page.fill('#po-reason', 'line 3 stands still');
    await page.click('dialog button[type=submit]');
    await waitFor('the override shown', async () => ((await page.locator('[data-testid=priority-override]').count()) === 1 ? true : undefined));
    t.match(await page.textContent('[data-testid=priority-override]'), /emil: line 3 stands still; computed P\d/);

    await page.click('.toolbar button.primary'); // acknowledge
    await page.waitForSelector('[data-testid=wait]');
    await page.click('[data-testid=wait]');
    await page.fill('#bulk-reason', 'asked for the nameplate photo');
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('[data-testid=clock-resolution] [data-testid=sla-paused]');
    t.equal(await page.locator('[data-testid=clock-resolution] [data-testid=sla-due]').count(), 0, 'a paused clock has no due time');
    t.match(await page.textContent('.ticket-page p.sla'), /paused/, 'the paused marker is visible at the top');
    await page.click('[data-testid=resume]');
    await waitFor('resumed', async () => ((await page.locator('[data-testid=clock-resolution] [data-testid=sla-due]').count()) === 1 ? true : undefined));
    t.equal(await page.locator('[data-testid=sla-paused]').count(), 0, 'the marker is gone once the clock runs again');
  });

  await t.test('a closed ticket shows the time its clocks took, not a clock still running', async (t) => {
    if (!ticket) throw new Error('no ticket');
    await stack.api('engineer', `/api/tickets/${ticket.id}/resolve`, { method: 'POST', body: { cause: 'loose plug', action: 'reseated it', fix: 'permanent' } });
    await stack.api('engineer', `/api/tickets/${ticket.id}/close`, { method: 'POST', body: { reason: 'customer confirmed' } });
    await page.reload();
    await waitFor('closed', async () => ((await page.textContent('[data-testid=ticket-status]')) === 'Closed' ? true : undefined));
    const top = await page.textContent('.ticket-page p.sla');
    t.match(top, /Resolution: took \d/, `the resolution total: "${top}"`);
    t.notMatch(top, /left/, 'no time left on a closed ticket');
    t.match(await page.textContent('[data-testid=clock-response]'), /took \d.*\(SLA met, target/, 'the response time it took');
    t.match(await page.textContent('[data-testid=clock-resolution]'), /took \d.*\(SLA met, target/);
    await page.goto(`${stack.baseUrl}/ticket-list`);
    await page.selectOption('#tt-scope', 'done');
    await waitFor('the closed list', async () => ((await page.locator(`tr[data-ticket-id="${ticket?.id}"]`).count()) === 1 ? true : undefined));
    t.match(await page.textContent(`tr[data-ticket-id="${ticket.id}"] [data-testid=sla-cell]`), /took/, 'the closed list shows the totals too');
  });

  await t.test('the write dialog shows the current value before the write is confirmed', async (t) => {
    await page.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);
    stack.sim?.model.force('frequency_setpoint', 37.5);
    await page.click('[data-testid="write-frequency_setpoint"]');
    await waitFor('the current value read', async () => ((await page.textContent('[data-testid=write-current]'))?.includes('37.5') ? true : undefined), 10_000);
    t.pass('read afresh when the dialog opens, without pulling live parameters first');
    await page.fill('#write-value', '41');
    await page.click('dialog button[type=submit]');
    t.match(await page.textContent('[data-testid=confirm-current]'), /37\.5 Hz.*→.*41 Hz/, 'the confirmation shows the value it replaces and the new one');
    await page.click('dialog .dialog-head button'); // closed without writing
    stack.sim?.model.release('frequency_setpoint');
  });

  await t.test('a viewer sees the list but no bulk, take or work controls', async (t) => {
    const { page: vp } = await stack.login('viewer');
    watch(vp, 'viewer');
    await vp.goto(`${stack.baseUrl}/ticket-list`);
    await vp.waitForSelector('tbody tr');
    t.equal(await vp.locator('tbody input[type=checkbox]').count(), 0, 'no row selection');
    await vp.goto(`${stack.baseUrl}/tickets/${ticket?.id ?? 1}`);
    await vp.waitForSelector('[data-testid=ticket-status]');
    t.equal(await vp.locator('[data-testid=take], [data-testid=assign], [data-testid=priority]').count(), 0, 'no take, assign or priority');
  });

  t.same(errors, [], 'no script errors');
});
