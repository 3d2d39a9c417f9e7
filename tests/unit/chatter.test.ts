import t from 'tap';
import { chatterCounters, chatteringCodes, filterChatter, initialChatterState, releaseChatter, type ChatterSpec, type ChatterState } from '../../agent/core/chatter.js';
import type { FaultTransition } from '../../agent/core/fault-transition.js';

const spec: ChatterSpec = { cycles: 3, windowMs: 60_000, holdMs: 60_000 };
const tr = (code: string, transition: 'raise' | 'clear', severity: FaultTransition['fault']['severity'] = 'critical'): FaultTransition => ({
  fault: { code, category: 'hardware', severity, message: `${code} message`, remedy: 'Fix it.' },
  source: 'modbus', transition, related: ['x'], labels: { register: 'r' },
});

/** Feeds [timeMs, code, raise|clear] events (or [timeMs] ticks with no event) and returns what passes, with times. */
function run(events: Array<[number, string?, ('raise' | 'clear')?]>, s: ChatterSpec = spec): { out: string[]; state: ChatterState } {
  let state = initialChatterState();
  const out: string[] = [];
  for (const [time, code, transition] of events) {
    const f = filterChatter(state, code && transition ? [tr(code, transition)] : [], time, s);
    const r = releaseChatter(f.state, time, s);
    state = r.state;
    out.push(...[...f.transitions, ...r.transitions].map((x) => `${x.transition} ${x.fault.code}@${time}`));
  }
  return { out, state };
}

const flap = (code: string, times: number[]): Array<[number, string, 'raise' | 'clear']> =>
  times.map((time, i): [number, string, 'raise' | 'clear'] => [time, code, i % 2 === 0 ? 'raise' : 'clear']);

t.test('chatter suppression', async (t) => {
  const cases: Array<[string, Array<[number, string?, ('raise' | 'clear')?]>, string[]]> = [
    ['two cycles a minute pass through', flap('a.x', [0, 10_000, 20_000, 30_000]), ['raise a.x@0', 'clear a.x@10000', 'raise a.x@20000', 'clear a.x@30000']],
    ['the third raise within the window becomes one chattering raise', flap('a.x', [0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000]),
      ['raise a.x@0', 'clear a.x@5000', 'raise a.x@10000', 'clear a.x@15000', 'raise a.x.chattering@20000']],
    ['raises spread wider than the window never chatter', flap('a.x', [0, 1000, 40_000, 41_000, 80_000, 81_000, 120_000]),
      ['raise a.x@0', 'clear a.x@1000', 'raise a.x@40000', 'clear a.x@41000', 'raise a.x@80000', 'clear a.x@81000', 'raise a.x@120000']],
    ['stable for the hold time while cleared: only the chattering clears',
      [...flap('a.x', [0, 5000, 10_000, 15_000, 20_000, 25_000]), [60_000], [84_999], [85_000]],
      ['raise a.x@0', 'clear a.x@5000', 'raise a.x@10000', 'clear a.x@15000', 'raise a.x.chattering@20000', 'clear a.x.chattering@85000']],
    ['stable for the hold time while raised: chattering clears and the real raise follows',
      [...flap('a.x', [0, 5000, 10_000, 15_000, 20_000]), [80_000]],
      ['raise a.x@0', 'clear a.x@5000', 'raise a.x@10000', 'clear a.x@15000', 'raise a.x.chattering@20000', 'clear a.x.chattering@80000', 'raise a.x@80000']],
    ['each input is judged on its own',
      [...flap('a.x', [0, 5000, 10_000, 15_000, 20_000]), [21_000, 'b.y', 'raise'], [22_000, 'b.y', 'clear']],
      ['raise a.x@0', 'clear a.x@5000', 'raise a.x@10000', 'clear a.x@15000', 'raise a.x.chattering@20000', 'raise b.y@21000', 'clear b.y@22000']],
  ];
  for (const [name, events, want] of cases) t.same(run(events).out, want, name);
});

t.test('every raise has a matching clear, whatever the flips', async (t) => {
  const times = Array.from({ length: 40 }, (_, i) => i * 2000 + (i % 3) * 300);
  const { out } = run([...flap('a.x', times), [300_000], [400_000, 'a.x', 'raise'], [401_000, 'a.x', 'clear'], [500_000]]);
  const balance = new Map<string, number>();
  for (const line of out) {
    const [transition, rest] = line.split(' ');
    const code = rest!.split('@')[0]!;
    const n = (balance.get(code) ?? 0) + (transition === 'raise' ? 1 : -1);
    t.ok(n === 0 || n === 1, `${line}: never two raises or two clears in a row`);
    balance.set(code, n);
  }
  t.same([...balance.values()], [0, 0], 'everything raised is cleared in the end');
});

t.test('the chattering event keeps the category and severity, and says what it stands for', async (t) => {
  const f = filterChatter(initialChatterState(), [tr('a.x', 'raise')], 0, { ...spec, cycles: 1 });
  const marker = f.transitions[0]!;
  t.equal(marker.fault.code, 'a.x.chattering');
  t.equal(marker.fault.severity, 'critical', 'not downgraded: it stands in for critical raises');
  t.equal(marker.fault.category, 'hardware');
  t.match(marker.fault.message, /chattering/);
  t.match(marker.fault.remedy, /Fix it\./, 'keeps the original remedy');
  t.equal(marker.labels.chattering_of, 'a.x');
  t.same(marker.related, ['x']);
});

t.test('counters: episodes, suppressed flips, inputs chattering now', async (t) => {
  const { state } = run(flap('a.x', [0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000]));
  t.same(chatterCounters(state), { episodes: 1, suppressed: 4, active: 1 });
  t.same(chatteringCodes(state), ['a.x']);
  const later = releaseChatter(state, 100_000, spec);
  t.same(chatterCounters(later.state), { episodes: 1, suppressed: 4, active: 0 });
  t.equal(later.transitions[0]?.labels.suppressed, '4', 'the clear says how many flips were held back');
});

t.test('cycles 0 turns suppression off; calm inputs are forgotten', async (t) => {
  t.equal(run(flap('a.x', [0, 1, 2, 3, 4, 5, 6, 7]), { ...spec, cycles: 0 }).out.length, 8);
  const { state } = run([...flap('a.x', [0, 1000]), [200_000]]);
  t.same(Object.keys(state.entries), [], 'no state kept for an input that is cleared and calm');
});
