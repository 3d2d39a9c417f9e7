/**
 * An alarm's page in real headless Chromium against a real stack (collector, agent, simulated
 * drive): an operator opens the alarm from the plant overview, acknowledges it together with its
 * ticket (the choice is shown, and recorded in both), comments on it (in its timeline and the
 * audit trail); acknowledging both is one unit of work: when the ticket cannot be acknowledged the
 * alarm is not either; a viewer gets neither control.
 */
import t from 'tap';
import { waitFor } from '../helpers/wait.js';
import { DEVICE, startBrowserStack } from './browser-stack.js';

interface AlarmJson { id: number; code: string; state: string; acknowledged: boolean; ticket: { id: number; number: string; status: string } | null }
interface AuditJson { records: Array<{ action: string; reason: string; subject: { id: string } }> }

t.setTimeout(180_000);

t.test('alarm page: acknowledge with the ticket, comments, both or neither', async (t) => {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  sim.model.injectFault(1);
  const alarm = await waitFor('the alarm and its ticket', async () => {
    const a = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((x) => x.code === 'vfd.overcurrent');
    return a?.ticket ? a : undefined;
  }, 15_000);
  t.equal(alarm.ticket!.status, 'new', 'a new ticket works the fault');

  const { page } = await stack.login('operator');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.waitForURL('**/plant');
  await page.click(`tr.plant-row[data-device="${DEVICE}"] a.cond-why`);
  await page.waitForURL(`**/alarms/${alarm.id}`);
  const both = page.locator('[data-testid=ack-ticket-too]');
  await both.waitFor({ timeout: 10_000 });
  t.ok(await both.isChecked(), 'the choice to acknowledge the ticket too is shown (and on)');
  t.match(await both.locator('xpath=..').textContent(), new RegExp(alarm.ticket!.number), 'naming the ticket');
  await page.fill('#ack-note', 'crew on the way');
  await page.click('[data-testid=ack-alarm]');
  await page.waitForSelector('[data-testid=alarm-state][data-state="active-acknowledged"]', { timeout: 10_000 });
  const after = await stack.api<AlarmJson>('operator', `/api/alarms/${alarm.id}`);
  t.equal(after.state, 'active-acknowledged', 'the alarm is acknowledged');
  t.equal(after.ticket?.status, 'acknowledged', 'and its ticket with it');
  const alarmSubject = `plant-a/${DEVICE}/vfd.overcurrent`;
  const alarmAudit = await stack.api<AuditJson>('engineer', `/api/audit?subject=${encodeURIComponent(alarmSubject)}`);
  t.ok(alarmAudit.records.some((r) => r.action === 'acknowledge' && r.reason.includes('crew on the way') && r.reason.includes(alarm.ticket!.number)), 'the alarm\'s record names the ticket');
  const ticketAudit = await stack.api<AuditJson>('engineer', `/api/audit?subject=${encodeURIComponent(alarm.ticket!.number)}`);
  t.ok(ticketAudit.records.some((r) => r.reason.includes(alarmSubject)), 'the ticket\'s record names the alarm');
  t.ok(await page.locator('[data-testid=alarm-timeline] li[data-transition="acknowledge"]').count() >= 1, 'the timeline shows the acknowledgement');

  await page.fill('#alarm-comment', 'Bearing noise reported by the night shift');
  await page.click('[data-testid=add-comment]');
  await page.waitForSelector('[data-testid=alarm-timeline] li[data-transition="comment"]', { timeout: 10_000 });
  t.match(await page.textContent('[data-testid=alarm-timeline] li[data-transition="comment"]'), /Comment · olga\s*Bearing noise reported by the night shift/, 'the comment is in the timeline, with who wrote it');
  const history = await stack.api<{ transitions: Array<{ transition: string; by: string; reason: string }> }>('viewer', `/api/alarms/history?code=vfd.overcurrent&transition=comment`);
  t.same(history.transitions.map((x) => [x.by, x.reason]), [['olga', 'Bearing noise reported by the night shift']], 'audited as olga\'s comment on the alarm');

  // Both or neither: a second fault whose ticket an engineer acknowledged already.
  sim.model.force('heatsink_temperature', 95);
  const hot = await waitFor('the hot alarm and its ticket', async () => {
    const a = (await stack.api<{ alarms: AlarmJson[] }>('operator', `/api/alarms?device=${DEVICE}`)).alarms.find((x) => x.code === 'vfd.heatsink_hot');
    return a?.ticket ? a : undefined;
  }, 20_000);
  await stack.api('engineer', `/api/tickets/${hot.ticket!.id}/ack`, { method: 'POST', body: {} });
  const refused = await fetch(`${stack.baseUrl}/api/alarms/${hot.id}/ack-with-ticket`, {
    method: 'POST', headers: { ...stack.callers.operator.headers, 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: hot.ticket!.id }),
  });
  t.equal(refused.status, 409, 'the ticket cannot be acknowledged twice');
  t.equal((await stack.api<AlarmJson>('operator', `/api/alarms/${hot.id}`)).acknowledged, false, 'so the alarm is not acknowledged either');
  const wrong = await fetch(`${stack.baseUrl}/api/alarms/${hot.id}/ack-with-ticket`, {
    method: 'POST', headers: { ...stack.callers.operator.headers, 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: alarm.ticket!.id }),
  });
  t.equal(wrong.status, 409, 'a ticket of another fault is refused');

  const viewer = await stack.login('viewer');
  await viewer.page.goto(`${stack.baseUrl}/alarms/${hot.id}`);
  await viewer.page.waitForSelector('[data-testid=alarm-timeline]');
  t.equal(await viewer.page.locator('[data-testid=ack-alarm]').count(), 0, 'a viewer cannot acknowledge');
  t.equal(await viewer.page.locator('#alarm-comment').count(), 0, 'nor comment');
  const forced = await fetch(`${stack.baseUrl}/api/alarms/${hot.id}/comments`, {
    method: 'POST', headers: { ...stack.callers.viewer.headers, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x' }),
  });
  t.equal(forced.status, 403, 'the server refuses a viewer\'s comment');
  t.same(errors, [], 'no script errors');
});
