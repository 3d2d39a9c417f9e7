/**
 * The alarm console links each row to its alarm's page (real headless Chromium, real collector,
 * agent and simulated drive): the fault code is a link to /alarms/:id (timeline and comments), and
 * the console's keys keep working around it: arrows move between rows, A on a focused link
 * acknowledges that link's alarm without leaving the console, Enter on it opens the alarm's page,
 * and a click opens it too.
 */
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE } from './browser-stack.js';
import { consoleWithTwoAlarms } from './console-two-alarms.js';

interface AlarmJson { id: number; code: string; state: string; acknowledged: boolean }

t.setTimeout(180_000);

t.test('alarm console rows link to the alarm page without breaking the keyboard', async (t) => {
  const { stack, page, errors, tripRow, hotRow } = await consoleWithTwoAlarms(t);
  const alarms = async (): Promise<AlarmJson[]> => (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms;
  const tripId = Number(await tripRow.getAttribute('data-alarm-id'));
  const hotId = Number(await hotRow.getAttribute('data-alarm-id'));

  const tripLink = tripRow.locator('a.alarm-link');
  const hotLink = hotRow.locator('a.alarm-link');
  t.equal(await tripLink.getAttribute('href'), `/alarms/${tripId}`, 'the trip\'s row links to its alarm page');
  t.equal(await hotLink.getAttribute('href'), `/alarms/${hotId}`, 'the hot heatsink\'s row links to its alarm page');
  t.equal(await tripLink.textContent(), 'vfd.overcurrent', 'the link is the fault code');

  // (Strings: the test compiles without the DOM library.)
  const focusedRow = (): Promise<string | null> => page.evaluate<string | null>(`(() => { const el = document.activeElement; const row = el && el.closest('.arow'); return row ? row.getAttribute('data-alarm-id') : null; })()`);
  const rowIds = (await page.locator('[data-testid=alarm-rows] .arow[data-alarm-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alarm-id')))));
  const tripIndex = rowIds.indexOf(tripId);
  const hotIndex = rowIds.indexOf(hotId);
  t.ok(tripIndex >= 0 && hotIndex >= 0, 'both alarms listed');

  // Arrows still move the focus from row to row.
  await tripRow.locator('.c.msg').click();
  t.equal(Number(await focusedRow()), tripId, 'a click on the row focuses it');
  await page.keyboard.press(hotIndex > tripIndex ? 'ArrowDown' : 'ArrowUp');
  t.equal(Number(await focusedRow()), hotId, 'an arrow key moves to the next row');
  t.equal(new URL(page.url()).pathname, '/alarms', 'still on the console');

  // A with the trip's link focused acknowledges the trip (its row), and the console stays.
  await tripLink.focus();
  t.equal(Number(await focusedRow()), tripId, 'the focus is on the link, in the trip\'s row (the hot heatsink\'s row had it)');
  await page.keyboard.press('a');
  await waitFor('the trip acknowledged', async () => ((await alarms()).find((a) => a.id === tripId)?.acknowledged ? true : undefined), 10_000);
  t.notOk((await alarms()).find((a) => a.id === hotId)?.acknowledged, 'the other alarm is untouched');
  t.equal(new URL(page.url()).pathname, '/alarms', 'acknowledging by key does not follow the link');
  await page.waitForSelector(`.arow[data-alarm-id="${tripId}"][data-state="active-acknowledged"]`, { timeout: 10_000 });
  t.pass('the console shows it acknowledged');

  // Enter on a focused link opens that alarm's page (with its timeline).
  await hotLink.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/alarms/${hotId}`, { timeout: 10_000 });
  await page.waitForSelector('[data-testid=alarm-state]', { timeout: 10_000 });
  t.match(await page.textContent('h1'), /vfd\.heatsink_hot/, 'Enter opens the alarm page of the link\'s row');

  // Back on the console, a click on the link opens its page too.
  await page.goBack();
  await tripLink.waitFor({ timeout: 10_000 });
  await tripLink.click();
  await page.waitForURL(`**/alarms/${tripId}`, { timeout: 10_000 });
  await page.waitForSelector('[data-testid=alarm-state]', { timeout: 10_000 });
  t.match(await page.textContent('h1'), /vfd\.overcurrent/, 'a click opens the alarm page');

  t.same(errors, [], 'no script errors');
});
