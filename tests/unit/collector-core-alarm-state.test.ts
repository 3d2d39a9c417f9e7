import t from 'tap';
import { acknowledgeAlarms, shelveAlarms } from '../../collector/core/alarms/alarm-bulk.js';
import { acknowledgeAlarm, alarmState, applyAlarmEvent, type Alarm, type AlarmOutcome } from '../../collector/core/alarms/alarm-state.js';
import {
  alarmNextDeadline, expireAlarm, removeFromService, returnToService, shelveAlarm, suppressAlarm, unshelveAlarm, unsuppressAlarm,
} from '../../collector/core/alarms/alarm-suppression.js';
import { SYSTEM, type Actor } from '../../collector/core/desk/audit-record.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';

const T0 = Date.parse('2024-03-05T12:00:00Z');
const MIN = 60_000;
const op: Actor = { kind: 'user', id: 'operator-1' };

function ev(transition: Transition, timeMs: number, over: Partial<FaultEvent> = {}): Pick<FaultEvent, 'site' | 'device' | 'code' | 'category' | 'severity' | 'message' | 'timeMs' | 'transition'> {
  return { site: 'plant-a', device: 'drive-1', code: 'vfd.overcurrent', category: 'hardware', severity: 'critical', message: 'Output overcurrent', timeMs, transition, ...over };
}

const raised = (): Alarm => applyAlarmEvent(undefined, ev('raise', T0), T0).alarm;
const acked = (): Alarm => acknowledgeAlarm(raised(), op, T0 + MIN).alarm;
const rtnUnack = (): Alarm => applyAlarmEvent(raised(), ev('clear', T0 + MIN), T0 + MIN).alarm;
const normal = (): Alarm => acknowledgeAlarm(rtnUnack(), op, T0 + 2 * MIN).alarm;
const shelved = (base: Alarm = raised()): Alarm => shelveAlarm(base, { by: op, reason: 'nuisance while tuning', durationMs: 60 * MIN }, T0 + 5 * MIN).alarm;

t.test('ISA-18.2 transitions driven by the device and the operator', async (t) => {
  const table: Array<{ name: string; from: () => Alarm | undefined; act: (a: Alarm | undefined) => AlarmOutcome; to: string; annunciated: boolean; transitioned: boolean }> = [
    { name: 'normal --raise--> active-unacknowledged', from: () => undefined, act: (a) => applyAlarmEvent(a, ev('raise', T0), T0), to: 'active-unacknowledged', annunciated: true, transitioned: true },
    { name: 'active-unacknowledged --ack--> active-acknowledged', from: raised, act: (a) => acknowledgeAlarm(a!, op, T0 + MIN), to: 'active-acknowledged', annunciated: false, transitioned: true },
    { name: 'active-unacknowledged --clear--> cleared-unacknowledged (RTN unack)', from: raised, act: (a) => applyAlarmEvent(a, ev('clear', T0 + MIN), T0 + MIN), to: 'cleared-unacknowledged', annunciated: false, transitioned: true },
    { name: 'cleared-unacknowledged --ack--> normal', from: rtnUnack, act: (a) => acknowledgeAlarm(a!, op, T0 + 2 * MIN), to: 'normal', annunciated: false, transitioned: true },
    { name: 'cleared-unacknowledged --raise--> active-unacknowledged', from: rtnUnack, act: (a) => applyAlarmEvent(a, ev('raise', T0 + 2 * MIN), T0 + 2 * MIN), to: 'active-unacknowledged', annunciated: true, transitioned: true },
    { name: 'active-acknowledged --clear--> normal', from: acked, act: (a) => applyAlarmEvent(a, ev('clear', T0 + 2 * MIN), T0 + 2 * MIN), to: 'normal', annunciated: false, transitioned: true },
    { name: 'normal --raise--> active-unacknowledged again', from: normal, act: (a) => applyAlarmEvent(a, ev('raise', T0 + 3 * MIN), T0 + 3 * MIN), to: 'active-unacknowledged', annunciated: true, transitioned: true },
    { name: 'a repeated raise changes nothing', from: acked, act: (a) => applyAlarmEvent(a, ev('raise', T0 + 2 * MIN), T0 + 2 * MIN), to: 'active-acknowledged', annunciated: false, transitioned: false },
    { name: 'a clear of a cleared alarm changes nothing', from: normal, act: (a) => applyAlarmEvent(a, ev('clear', T0 + 3 * MIN), T0 + 3 * MIN), to: 'normal', annunciated: false, transitioned: false },
    { name: 'a clear older than the latest raise is stale', from: raised, act: (a) => applyAlarmEvent(a, ev('clear', T0 - 1), T0 + MIN), to: 'active-unacknowledged', annunciated: false, transitioned: false },
    { name: 'a raise older than the latest clear is stale', from: normal, act: (a) => applyAlarmEvent(a, ev('raise', T0 + 30_000), T0 + 3 * MIN), to: 'normal', annunciated: false, transitioned: false },
  ];
  for (const row of table) {
    const out = row.act(row.from());
    t.equal(alarmState(out.alarm), row.to, row.name);
    t.equal(out.annunciated, row.annunciated, `${row.name}: annunciated`);
    t.equal(out.transitioned, row.transitioned, `${row.name}: transitioned`);
    t.equal(out.audit.length, row.transitioned ? 1 : 0, `${row.name}: audited when it moved`);
    if (!row.transitioned) t.not(out.note, '', `${row.name}: says why nothing changed`);
  }
});

t.test('every transition records who, when and why', async (t) => {
  const out = acknowledgeAlarm(raised(), op, T0 + MIN, 'seen, sending someone');
  t.same(out.audit, [{
    atMs: T0 + MIN, actor: op, subject: { kind: 'alarm', id: 'plant-a/drive-1/vfd.overcurrent' }, action: 'acknowledge',
    from: 'active-unacknowledged', to: 'active-acknowledged', reason: 'seen, sending someone', details: {},
  }]);
  t.match(applyAlarmEvent(undefined, ev('raise', T0), T0).audit[0], { actor: { kind: 'device', id: 'plant-a/drive-1' }, action: 'raise', reason: 'Output overcurrent' });
});

t.test('operator actions that do not fit the state are typed errors', async (t) => {
  const table: Array<[string, () => unknown, string]> = [
    ['acknowledge a normal alarm', () => acknowledgeAlarm(normal(), op, T0), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['acknowledge an acknowledged alarm', () => acknowledgeAlarm(acked(), op, T0), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['acknowledge a shelved alarm', () => acknowledgeAlarm(shelved(), op, T0), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['shelve twice', () => shelved(shelved()), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['unshelve an alarm that is not shelved', () => unshelveAlarm(raised(), op, T0, 'x'), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['shelve an out-of-service alarm', () => shelved(removeFromService(raised(), op, T0, 'repair').alarm), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['return an in-service alarm to service', () => returnToService(raised(), op, T0, 'x'), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['remove from service twice', () => removeFromService(removeFromService(raised(), op, T0, 'a').alarm, op, T0, 'b'), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['unsuppress an alarm that is not suppressed', () => unsuppressAlarm(raised(), op, T0, 'x'), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['suppress until a past instant', () => suppressAlarm(raised(), { by: op, reason: 'maintenance', untilMs: T0 - 1 }, T0), 'FL_ERR_ALARM_INVALID_TRANSITION'],
    ['shelve longer than the maximum (8 h)', () => shelveAlarm(raised(), { by: op, reason: 'r', durationMs: 9 * 60 * MIN }, T0), 'FL_ERR_ALARM_SHELVE_DURATION'],
    ['shelve for no time', () => shelveAlarm(raised(), { by: op, reason: 'r', durationMs: 0 }, T0), 'FL_ERR_ALARM_SHELVE_DURATION'],
    ['shelve without a reason', () => shelveAlarm(raised(), { by: op, reason: ' ', durationMs: MIN }, T0), 'FL_ERR_ALARM_REASON_REQUIRED'],
    ['take out of service without a reason', () => removeFromService(raised(), op, T0, ''), 'FL_ERR_ALARM_REASON_REQUIRED'],
  ];
  for (const [name, fn, code] of table) t.throws(fn, { code }, name);
});

t.test('shelving is timed and expires by itself, exactly on time', async (t) => {
  const s = shelved();
  t.equal(alarmState(s), 'shelved');
  t.match(s.shelved, { by: op, atMs: T0 + 5 * MIN, reason: 'nuisance while tuning', untilMs: T0 + 65 * MIN });
  t.equal(alarmNextDeadline(s), T0 + 65 * MIN, 'the edge timer is set for the expiry');
  t.equal(expireAlarm(s, T0 + 65 * MIN - 1).transitioned, false, 'not a millisecond early');
  const late = expireAlarm(s, T0 + 90 * MIN);
  t.equal(alarmState(late.alarm), 'active-unacknowledged', 'still active at expiry: annunciated again');
  t.equal(late.annunciated, true);
  t.match(late.audit, [{ atMs: T0 + 65 * MIN, actor: SYSTEM, action: 'unshelve', from: 'shelved', to: 'active-unacknowledged', reason: 'shelve time expired' }]);
  t.equal(alarmNextDeadline(late.alarm), null);

  const clearedWhileShelved = applyAlarmEvent(s, ev('clear', T0 + 10 * MIN), T0 + 10 * MIN);
  t.equal(alarmState(clearedWhileShelved.alarm), 'shelved', 'a clear while shelved keeps it shelved');
  t.equal(alarmState(expireAlarm(clearedWhileShelved.alarm, T0 + 65 * MIN).alarm), 'normal', 'and it comes back as normal');

  const wasAcked = unshelveAlarm(shelved(acked()), op, T0 + 10 * MIN, 'tuning done');
  t.equal(alarmState(wasAcked.alarm), 'active-unacknowledged', 'an active alarm coming off the shelf must be acknowledged again');
});

t.test('suppressed by design (maintenance window) and out of service', async (t) => {
  const window = suppressAlarm(normal(), { by: SYSTEM, reason: 'maintenance window MW-7', untilMs: T0 + 60 * MIN }, T0 + 5 * MIN).alarm;
  t.equal(alarmState(window), 'suppressed-by-design');
  const raisedInWindow = applyAlarmEvent(window, ev('raise', T0 + 10 * MIN), T0 + 10 * MIN);
  t.equal(raisedInWindow.annunciated, false, 'a raise during the window is not annunciated');
  t.equal(alarmState(raisedInWindow.alarm), 'suppressed-by-design');
  t.equal(alarmNextDeadline(raisedInWindow.alarm), T0 + 60 * MIN);
  const after = expireAlarm(raisedInWindow.alarm, T0 + 61 * MIN);
  t.equal(alarmState(after.alarm), 'active-unacknowledged', 'still faulty when the window ends: annunciated');
  t.match(after.audit, [{ atMs: T0 + 60 * MIN, action: 'unsuppress', reason: 'suppression window ended' }]);

  const oos = removeFromService(shelved(), op, T0 + 10 * MIN, 'sensor replaced next week');
  t.equal(alarmState(oos.alarm), 'out-of-service');
  t.equal(oos.alarm.shelved, null, 'taking it out of service drops the shelve');
  const layered = suppressAlarm(oos.alarm, { by: SYSTEM, reason: 'maintenance' }, T0 + 11 * MIN).alarm;
  t.equal(alarmState(layered), 'out-of-service', 'out of service shows over suppressed');
  const back = returnToService(layered, op, T0 + 12 * MIN, 'sensor replaced');
  t.equal(alarmState(back.alarm), 'suppressed-by-design', 'back in service but still suppressed');
  t.equal(back.annunciated, false);
  t.equal(alarmState(unsuppressAlarm(back.alarm, SYSTEM, T0 + 13 * MIN, 'maintenance over').alarm), 'active-unacknowledged');
});

t.test('bulk acknowledge and shelve: each alarm on its own, failures reported', async (t) => {
  const two = applyAlarmEvent(undefined, ev('raise', T0, { device: 'drive-2' }), T0).alarm;
  const bulk = acknowledgeAlarms([raised(), normal(), two], op, T0 + MIN, 'shift start');
  t.same(bulk.changed.map(alarmState), ['active-acknowledged', 'active-acknowledged']);
  t.equal(bulk.audit.length, 2);
  t.match(bulk.failures, [{ alarm: 'plant-a/drive-1/vfd.overcurrent', code: 'FL_ERR_ALARM_INVALID_TRANSITION' }]);
  const shelvedAll = shelveAlarms([raised(), shelved(), two], { by: op, reason: 'commissioning', durationMs: 30 * MIN }, T0 + MIN);
  t.equal(shelvedAll.changed.length, 2);
  t.equal(shelvedAll.failures.length, 1, 'the one already shelved is reported');
});
