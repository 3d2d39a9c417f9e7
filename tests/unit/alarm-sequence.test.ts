/**
 * Per-device order (issue 13): whatever order one alarm's events arrive in, the alarm ends as it
 * would applying them in the device's sequence order; a late clear never clears a newer raise.
 */
import t from 'tap';
import { applyAlarmEvent, alarmState, type Alarm } from '../../collector/core/alarms/alarm-state.js';
import { sequenceVerdict } from '../../collector/core/alarms/alarm-sequence.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';

const T0 = Date.parse('2024-03-05T12:00:00Z');
type Ev = Pick<FaultEvent, 'site' | 'device' | 'code' | 'category' | 'severity' | 'message' | 'timeMs' | 'transition' | 'seq'>;

function ev(transition: Transition, seq: number, timeMs = T0 + seq * 1000): Ev {
  return { site: 'plant-a', device: 'drive-1', code: 'vfd.overcurrent', category: 'hardware', severity: 'critical', message: 'Overcurrent', timeMs, transition, seq };
}

function applyAll(events: readonly Ev[]): Alarm | undefined {
  let a: Alarm | undefined;
  events.forEach((e, i) => { a = applyAlarmEvent(a, e, T0 + 100_000 + i).alarm; });
  return a;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** What must not depend on arrival order. */
const shape = (a: Alarm | undefined) => a && ({
  state: alarmState(a), active: a.active, acknowledged: a.acknowledged, raiseCount: a.raiseCount, lastRaiseMs: a.lastRaiseMs, lastClearMs: a.lastClearMs,
});

t.test('every arrival order of one alarm\'s events ends in the in-sequence state', async (t) => {
  const histories: Array<[string, Ev[]]> = [
    ['raise, clear', [ev('raise', 1), ev('clear', 2)]],
    ['raise, clear, raise', [ev('raise', 1), ev('clear', 2), ev('raise', 3)]],
    ['raise, clear, raise, clear', [ev('raise', 1), ev('clear', 2), ev('raise', 3), ev('clear', 4)]],
    ['raise, raise, clear, raise', [ev('raise', 1), ev('raise', 2), ev('clear', 3), ev('raise', 4)]],
    // one device clock millisecond for all: only the sequence numbers can tell the order
    ['raise, clear in the same millisecond', [ev('raise', 1, T0), ev('clear', 2, T0), ev('raise', 3, T0)]],
  ];
  for (const [name, inOrder] of histories) {
    const expected = shape(applyAll(inOrder));
    const orders = permutations(inOrder);
    const differing = orders.filter((order) => JSON.stringify(shape(applyAll(order))) !== JSON.stringify(expected));
    t.same(differing.map((o) => o.map((e) => `${e.transition}${e.seq}`).join(' ')), [], `${name}: all ${orders.length} orders agree`);
  }
});

t.test('a late clear does not clear a newer raise; a late raise is counted but does not re-raise', async (t) => {
  const active = applyAll([ev('raise', 1), ev('clear', 2), ev('raise', 3)]);
  const lateClear = applyAlarmEvent(active, ev('clear', 2), T0 + 200_000);
  t.equal(lateClear.alarm.active, true, 'still active');
  t.equal(lateClear.late, true, 'reported late');
  t.same(lateClear.audit, [], 'no transition audited');

  const cleared = applyAll([ev('clear', 2)]);
  const lateRaise = applyAlarmEvent(cleared, ev('raise', 1), T0 + 200_000);
  t.equal(lateRaise.alarm.active, false, 'the clear sent after it wins');
  t.equal(alarmState(lateRaise.alarm), 'cleared-unacknowledged', 'the raise was never shown: returned to normal unacknowledged');
  t.equal(lateRaise.alarm.raiseCount, 1);
});

t.test('without sequence numbers the device times decide, as before', async (t) => {
  const a = applyAll([ev('raise', 0, T0 + 5000), ev('clear', 0, T0 + 1000)]);
  t.equal(a?.active, true, 'a clear with an older device time is stale');
  t.equal(a?.seq, undefined, 'no sequence recorded');
});

t.test('a restarted sequence (agent outbox wiped) starts a new epoch', async (t) => {
  const before = applyAll([ev('raise', 40, T0), ev('clear', 41, T0 + 1000)]);
  const restarted = applyAlarmEvent(before, ev('raise', 1, T0 + 60_000), T0 + 200_000);
  t.equal(restarted.alarm.active, true, 'seq 1 with a later device time is applied');
  t.same(restarted.alarm.seq, { n: 1, timeMs: T0 + 60_000 });
  const next = applyAlarmEvent(restarted.alarm, ev('clear', 2, T0 + 61_000), T0 + 300_000);
  t.equal(next.alarm.active, false, 'the new epoch goes on by sequence');
  const late = applyAlarmEvent(next.alarm, ev('raise', 1, T0 + 60_000), T0 + 400_000);
  t.equal(late.late, true, 'and orders its own events');
});

t.test('sequenceVerdict', async (t) => {
  const applied = { n: 10, timeMs: T0 };
  const table: Array<[string, { seq?: number; timeMs: number }, ReturnType<typeof sequenceVerdict>, typeof applied | undefined]> = [
    ['higher seq', { seq: 11, timeMs: T0 - 5000 }, 'newer', applied],
    ['gap', { seq: 50, timeMs: T0 + 1 }, 'newer', applied],
    ['lower seq, earlier time', { seq: 9, timeMs: T0 - 1 }, 'late', applied],
    ['lower seq, same time', { seq: 9, timeMs: T0 }, 'late', applied],
    ['same seq again', { seq: 10, timeMs: T0 }, 'late', applied],
    ['lower seq, later time', { seq: 1, timeMs: T0 + 1 }, 'restart', applied],
    ['no seq', { timeMs: T0 }, 'unsequenced', applied],
    ['seq 0', { seq: 0, timeMs: T0 }, 'unsequenced', applied],
    ['nothing applied yet', { seq: 3, timeMs: T0 }, 'unsequenced', undefined],
  ];
  for (const [name, e, verdict, a] of table) t.equal(sequenceVerdict(a, e), verdict, name);
});
