/**
 * Alarms through the desk and the store, with a fake clock: ISA-18.2 states from device events and
 * operator actions (single and bulk), timed shelving and suppression ended by the scheduler, floods
 * per site and chattering alarms (detected here or reported by the agent).
 */
import type { StoredAlarm } from '../../collector/store/port.js';
import t from 'tap';
import { alarmState } from '../../collector/core/alarms/alarm-state.js';

import { birth, deskHarness, fault, MIN, T0, type DeskHarness } from '../helpers/desk-harness.js';

const operator = { kind: 'user' as const, id: 'otto' };

function alarm(h: DeskHarness, code = 'vfd.overcurrent'): StoredAlarm {
  const found = h.store.repo.alarms.byKey({ site: 'plant-a', device: 'drive-1', code });
  if (!found) throw new Error(`no alarm ${code}`);
  return found;
}

const state = (h: DeskHarness, code?: string): string => alarmState(alarm(h, code).alarm);

t.test('ISA-18.2 states from device events and acknowledgements, each transition audited with who and why', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  t.equal(state(h), 'active-unacknowledged');
  const id = alarm(h).id;
  await h.desk.alarmAction(id, { type: 'ack', note: 'seen on the HMI' }, operator);
  t.equal(state(h), 'active-acknowledged');
  await t.rejects(h.desk.alarmAction(id, { type: 'ack' }, operator), { code: 'FL_ERR_ALARM_INVALID_TRANSITION' });
  await h.commit(fault('clear', T0 + MIN));
  t.equal(state(h), 'normal', 'an acknowledged alarm returns to normal on clear');
  await h.commit(fault('raise', T0 + 2 * MIN), fault('clear', T0 + 3 * MIN));
  t.equal(state(h), 'cleared-unacknowledged', 'return to normal not yet seen by anyone');
  await h.desk.alarmAction(id, { type: 'ack' }, operator);
  t.equal(state(h), 'normal');
  const trail = h.store.repo.audit.list({ subject: 'plant-a/drive-1/vfd.overcurrent', limit: 50 });
  t.same(trail.map((r) => `${r.action}:${r.from}->${r.to}`), [
    'raise:normal->active-unacknowledged', 'acknowledge:active-unacknowledged->active-acknowledged', 'clear:active-acknowledged->normal',
    'raise:normal->active-unacknowledged', 'clear:active-unacknowledged->cleared-unacknowledged', 'acknowledge:cleared-unacknowledged->normal',
  ]);
  t.match(trail[1], { actor: { kind: 'user', id: 'otto' }, reason: 'seen on the HMI' });
});

t.test('shelving is timed and ends by itself exactly when it runs out; reasons are required', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const id = alarm(h).id;
  await t.rejects(h.desk.alarmAction(id, { type: 'shelve', reason: ' ', durationMs: 30 * MIN }, operator), { code: 'FL_ERR_ALARM_REASON_REQUIRED' });
  await t.rejects(h.desk.alarmAction(id, { type: 'shelve', reason: 'nuisance', durationMs: 9 * 60 * MIN }, operator), { code: 'FL_ERR_ALARM_SHELVE_DURATION' });
  await h.desk.alarmAction(id, { type: 'shelve', reason: 'nuisance while the belt is serviced', durationMs: 30 * MIN }, operator);
  t.match(alarm(h).alarm, { shelved: { untilMs: T0 + 30 * MIN, by: { id: 'otto' } } });
  t.equal(state(h), 'shelved');
  const timer = h.store.repo.timers.get('alarm', String(id));
  t.equal(timer?.dueMs, T0 + 30 * MIN, 'the alarm has its own timer for the expiry');
  await h.desk.scheduler.runDue(T0 + 30 * MIN);
  t.equal(state(h), 'active-unacknowledged', 'back and annunciated again: the condition is still present');
  const unshelve = h.store.repo.audit.list({ subject: 'plant-a/drive-1/vfd.overcurrent', limit: 50 }).at(-1);
  t.match(unshelve, { action: 'unshelve', atMs: T0 + 30 * MIN, actor: { kind: 'system' }, reason: 'shelve time expired' });
});

t.test('suppressed by design until a time, out of service and back', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  const id = alarm(h).id;
  await h.desk.alarmAction(id, { type: 'suppress', reason: 'maintenance window', untilMs: T0 + 60 * MIN }, operator);
  t.equal(state(h), 'suppressed-by-design');
  await h.commit(fault('clear', T0 + 5 * MIN));
  await h.desk.scheduler.runDue(T0 + 60 * MIN);
  t.equal(state(h), 'normal', 'the window ended with the condition gone');
  await h.desk.alarmAction(id, { type: 'out-of-service', reason: 'sensor replaced' }, operator);
  t.equal(state(h), 'out-of-service');
  await t.rejects(h.desk.alarmAction(id, { type: 'ack' }, operator), { code: 'FL_ERR_ALARM_INVALID_TRANSITION' });
  await h.desk.alarmAction(id, { type: 'in-service', reason: 'sensor works' }, operator);
  t.equal(state(h), 'normal');
});

t.test('bulk actions apply to every alarm that fits and report the others', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0), fault('raise', T0, { code: 'vfd.overvoltage' }), fault('raise', T0, { code: 'vfd.overtemperature' }));
  const ids = h.store.repo.alarms.list({ limit: 10 }).map((a) => a.id);
  const first = ids[0] ?? 0;
  await h.desk.alarmAction(first, { type: 'ack' }, operator);
  const result = await h.desk.bulkAlarmAction([...ids, 999], { type: 'ack', note: 'page acknowledged' }, operator);
  t.equal(result.changed.length, 2);
  t.match(result.failures, [{ id: 999, code: 'FL_ERR_API_NOT_FOUND' }, { id: first, code: 'FL_ERR_ALARM_INVALID_TRANSITION' }]);
  t.same(h.store.repo.alarms.list({ state: 'active-unacknowledged', limit: 10 }), [], 'all acknowledged now');
});

t.test('more than 10 new alarms in 10 minutes at a site is a flood, ending exactly when the window empties', async (t) => {
  const h = await deskHarness(t);
  for (let i = 0; i < 11; i++) {
    h.clock.now = T0 + i * 10_000;
    await h.commit(fault('raise', h.clock.now, { code: `vfd.code_${i}`, severity: 'minor' }));
  }
  const [episode] = h.store.repo.alarms.episodes('plant-a', 10);
  t.match(episode, { site: 'plant-a', startMs: T0 + 100_000, endMs: null, alarms: 11, peak: 11 });
  t.ok(h.store.repo.webhooks.list({ limit: 100 }).some((d) => d.event === 'alarm.flood-start'), 'the flood is notified');
  const endAt = T0 + 10 * MIN; // the first of the 11 leaves the window: 10 remain
  t.equal(h.store.repo.timers.get('flood', 'plant-a')?.dueMs, endAt);
  await h.desk.scheduler.runDue(endAt);
  t.match(h.store.repo.alarms.episodes('plant-a', 10)[0], { startMs: T0 + 100_000, endMs: endAt, alarms: 11 });
  t.ok(h.store.repo.audit.list({ subject: 'plant-a', limit: 10 }).some((r) => r.action === 'flood-end' && r.atMs === endAt));
});

t.test('chattering: detected from raise/clear cycles, or reported by the agent', async (t) => {
  const h = await deskHarness(t);
  for (let i = 0; i < 3; i++) {
    h.clock.now = T0 + i * 10_000;
    await h.commit(fault('raise', h.clock.now), fault('clear', h.clock.now + 1000));
  }
  t.equal(alarm(h).chattering, true, '3 cycles within a minute');
  t.same(h.store.repo.alarms.list({ chattering: true, limit: 10 }).map((a) => a.alarm.key.code), ['vfd.overcurrent']);
  await h.desk.scheduler.runDue(T0 + 60_000);
  t.equal(alarm(h).chattering, false, 'ends when fewer than 3 remain in the window');

  await h.commit(fault('raise', T0 + 2 * MIN, { code: 'vfd.overvoltage.chattering' }));
  t.equal(alarm(h).chattering, false);
  await h.commit(fault('raise', T0 + 2 * MIN, { code: 'vfd.overvoltage' }));
  t.equal(alarm(h, 'vfd.overvoltage').chattering, true, 'the agent said so');
  t.notOk(h.store.repo.alarms.byKey({ site: 'plant-a', device: 'drive-1', code: 'vfd.overvoltage.chattering' }), 'the chattering event is not an alarm itself');
  await h.commit(fault('clear', T0 + 3 * MIN, { code: 'vfd.overvoltage.chattering' }));
  t.equal(alarm(h, 'vfd.overvoltage').chattering, false);
});
