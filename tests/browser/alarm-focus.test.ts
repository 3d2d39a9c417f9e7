/**
 * Keyboard focus in the alarm console (real headless Chromium, real collector, agent and simulated
 * drive): acknowledging a cleared alarm from the keyboard takes it off the console, and the focus
 * must stay in the list (on the row that took its place) so the operator can go on with the keys.
 * Before the fix the focus fell to the page body and the next key did nothing.
 */
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE } from './browser-stack.js';
import { consoleWithTwoAlarms } from './console-two-alarms.js';

interface AlarmJson { id: number; code: string; state: string }

t.setTimeout(180_000);

t.test('focus stays on the alarm list after acknowledging a cleared alarm', async (t) => {
  // Two alarms: the overcurrent trip (to be cleared) and a hot heatsink (stays active).
  const { stack, page, errors, tripRow, hotRow } = await consoleWithTwoAlarms(t);
  const sim = stack.sim!;
  sim.model.injectFault(0);
  await page.waitForSelector('.arow[data-code="vfd.overcurrent"][data-state="cleared-unacknowledged"]', { timeout: 15_000 });
  const hotId = Number(await hotRow.getAttribute('data-alarm-id'));

  await tripRow.locator('.c.code').click();
  t.equal(await page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("data-code")'), 'vfd.overcurrent', 'the cleared alarm\'s row has the focus');
  await page.keyboard.press('a');
  await tripRow.waitFor({ state: 'detached', timeout: 10_000 });
  const trip = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((a) => a.code === 'vfd.overcurrent');
  t.equal(trip?.state, 'normal', 'acknowledged: back to normal, off the console');

  // (A string: the test compiles without the DOM library.)
  const where = `(() => { const el = document.activeElement;
    return el && el !== document.body ? { inGrid: el.closest('[role=grid]') !== null, id: el.getAttribute('data-alarm-id') } : undefined; })()`;
  const focused = await waitFor('the focus to settle', async () => page.evaluate<{ inGrid: boolean; id: string | null } | undefined>(where), 2000)
    .catch(() => ({ inGrid: false, id: null }));
  t.ok(focused.inGrid, 'the focus stays in the alarm list');
  t.equal(Number(focused.id), hotId, 'on the row that took the acknowledged one\'s place');

  // The keyboard keeps working: A acknowledges the focused (remaining) alarm.
  await page.keyboard.press('a');
  await page.waitForSelector(`.arow[data-alarm-id="${hotId}"][data-state="active-acknowledged"]`, { timeout: 10_000 });
  t.pass('the next key acts on the list');
  t.same(errors, [], 'no script errors');
});
