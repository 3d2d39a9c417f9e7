import t from 'tap';
import {
  advanceChatter, applyAgentChatter, chatteringBaseCode, chatterNextDeadline, chatterReport, emptyChatterState, isChattering, recordCycle,
  type ChatterState,
} from '../../collector/core/alarms/alarm-chatter.js';
import {
  advanceFlood, emptyFloodState, floodNextDeadline, floodReport, isInFlood, recordAnnunciation, timeInFloodMs, type FloodEvent, type FloodState,
} from '../../collector/core/alarms/alarm-flood.js';

const T0 = Date.parse('2024-03-05T12:00:00Z');
const S = 1000;
const MIN = 60 * S;

function feed(times: number[], state: FloodState = emptyFloodState('plant-a')): { state: FloodState; events: FloodEvent[] } {
  const events: FloodEvent[] = [];
  let s = state;
  for (const at of times) {
    const out = recordAnnunciation(s, at);
    s = out.state;
    events.push(...out.events);
  }
  return { state: s, events };
}

const every = (n: number, stepMs: number, from = T0): number[] => Array.from({ length: n }, (_, i) => from + i * stepMs);

t.test('a flood is more than 10 new alarms within 10 minutes at one site', async (t) => {
  const table: Array<{ name: string; times: number[]; flood: boolean; startAt?: number }> = [
    { name: '10 alarms in 10 min: no flood', times: every(10, 30 * S), flood: false },
    { name: '11 alarms in 5 min: flood from the 11th', times: every(11, 30 * S), flood: true, startAt: T0 + 300 * S },
    { name: '11 alarms, first and last exactly 10 min apart: the first has left the window', times: every(11, 60 * S), flood: false },
    { name: '11 alarms within 10 min less 1 ms: flood', times: [...every(10, 60 * S).slice(0, 10), T0 + 10 * MIN - 1].sort((a, b) => a - b), flood: true, startAt: T0 + 10 * MIN - 1 },
  ];
  for (const row of table) {
    const { state, events } = feed(row.times);
    t.equal(isInFlood(state), row.flood, row.name);
    const start = events.find((e) => e.type === 'flood-start');
    t.equal(start?.atMs, row.startAt, `${row.name}: start instant`);
  }
});

t.test('the flood ends at the exact instant the window count falls back to 10, and its time is measurable', async (t) => {
  const { state, events } = feed(every(15, 30 * S));
  t.same(events, [{ type: 'flood-start', site: 'plant-a', atMs: T0 + 300 * S, count: 11 }]);
  // 15 alarms at 0..420 s: count drops to 10 when the 5th (at 120 s) leaves the window at 720 s.
  t.equal(floodNextDeadline(state), T0 + 720 * S, 'the edge timer is set for the end');
  t.same(advanceFlood(state, T0 + 720 * S - 1).events, [], 'not a millisecond early');
  const ended = advanceFlood(state, T0 + 30 * MIN);
  t.same(ended.events, [{ type: 'flood-end', site: 'plant-a', atMs: T0 + 720 * S, episode: { site: 'plant-a', startMs: T0 + 300 * S, endMs: T0 + 720 * S, alarms: 15, peak: 15 } }],
    'a late tick still ends it at the right instant');
  t.equal(isInFlood(ended.state), false);
  t.equal(floodNextDeadline(ended.state), null);
  const episode = { site: 'plant-a', startMs: T0 + 300 * S, endMs: T0 + 720 * S, alarms: 15, peak: 15 };
  t.equal(timeInFloodMs([episode], T0, T0 + 60 * MIN), 7 * MIN, 'time in flood over the hour');
  t.equal(timeInFloodMs([episode], T0 + 600 * S, T0 + 60 * MIN), 2 * MIN, 'clipped to the period');
  t.equal(timeInFloodMs([{ ...episode, endMs: null }], T0, T0 + 600 * S), 5 * MIN, 'a running flood counts up to the end of the period');
});

t.test('a new alarm during the flood pushes its end out; one after the end can start a new flood', async (t) => {
  const first = feed(every(11, 30 * S));
  const more = recordAnnunciation(first.state, T0 + 400 * S);
  t.equal(floodNextDeadline(more.state), T0 + 630 * S, 'now the 2nd alarm (30 s) must leave too');
  t.equal(more.state.episode?.alarms, 12);
  const afterEnd = feed(every(11, 1 * S, T0 + 40 * MIN), advanceFlood(more.state, T0 + 40 * MIN).state);
  t.same(afterEnd.events.map((e) => e.type), ['flood-start'], 'a second flood, 40 min later');
});

t.test('flood events become notifications and audit records', async (t) => {
  const { events } = feed(every(11, S));
  const report = floodReport(events);
  t.match(report.effects, [{ type: 'notify', event: 'alarm.flood-start', site: 'plant-a', atMs: T0 + 10 * S, ticket: null, details: { count: 11 } }]);
  t.match(report.audit, [{ subject: { kind: 'flood', id: 'plant-a' }, action: 'flood-start', from: 'normal', to: 'flood' }]);
});

function cycles(times: number[], s: ChatterState = emptyChatterState('plant-a/drive-1/x', 'plant-a')) {
  const events = [];
  let state = s;
  for (const at of times) {
    const out = recordCycle(state, at);
    state = out.state;
    events.push(...out.events);
  }
  return { state, events };
}

t.test('chattering: 3 raise/clear cycles within a minute, detected here', async (t) => {
  const table: Array<{ name: string; times: number[]; chattering: boolean }> = [
    { name: '3 cycles in 40 s', times: [T0, T0 + 20 * S, T0 + 40 * S], chattering: true },
    { name: '2 cycles in a minute', times: [T0, T0 + 30 * S], chattering: false },
    { name: '3 cycles spread over 61 s', times: [T0, T0 + 30 * S, T0 + 61 * S], chattering: false },
  ];
  for (const row of table) t.equal(isChattering(cycles(row.times).state), row.chattering, row.name);

  const { state, events } = cycles([T0, T0 + 20 * S, T0 + 40 * S]);
  t.same(events, [{ type: 'chatter-start', alarm: 'plant-a/drive-1/x', site: 'plant-a', atMs: T0 + 40 * S, source: 'detected' }]);
  t.equal(chatterNextDeadline(state), T0 + 60 * S, 'ends when the first cycle leaves the minute');
  const ended = advanceChatter(state, T0 + 5 * MIN);
  t.same(ended.events, [{ type: 'chatter-end', alarm: 'plant-a/drive-1/x', site: 'plant-a', atMs: T0 + 60 * S, durationMs: 20 * S }]);
  t.equal(isChattering(ended.state), false);
  t.match(chatterReport(ended.events).effects, [{ event: 'alarm.chatter-end', site: 'plant-a' }]);
});

t.test("chattering reported by the agent's <code>.chattering event", async (t) => {
  const table: Array<[string, string | null]> = [
    ['vfd.overcurrent.chattering', 'vfd.overcurrent'], ['vfd.overcurrent', null], ['.chattering', null],
  ];
  for (const [code, base] of table) t.equal(chatteringBaseCode(code), base, code);
  const s0 = emptyChatterState('plant-a/drive-1/vfd.overcurrent', 'plant-a');
  const on = applyAgentChatter(s0, 'raise', T0);
  t.match(on.events, [{ type: 'chatter-start', source: 'agent', atMs: T0 }]);
  const detectedToo = cycles([T0 + S, T0 + 2 * S, T0 + 3 * S], on.state);
  t.same(detectedToo.events, [], 'already chattering: no second start');
  const agentClears = applyAgentChatter(detectedToo.state, 'clear', T0 + 4 * S);
  t.same(agentClears.events, [], 'still detected here: not over yet');
  t.match(advanceChatter(agentClears.state, T0 + 2 * MIN).events, [{ type: 'chatter-end', atMs: T0 + 61 * S, durationMs: 61 * S }]);
});
