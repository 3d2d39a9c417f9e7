import t from 'tap';
import { resetStuck, stepStuck, STUCK_IDLE, type StuckSpec, type StuckState } from '../../agent/core/stuck-value.js';

const spec: StuckSpec = { epsilon: 0.1, afterMs: 5000 };

function run(s: StuckSpec, series: Array<[number, number]>): string[] {
  let state: StuckState = STUCK_IDLE;
  const out: string[] = [];
  for (const [time, value] of series) {
    const step = stepStuck(s, state, value, time);
    state = step.state;
    if (step.transition) out.push(`${step.transition}@${time}`);
  }
  return out;
}

t.test('stuck value: unchanged within epsilon for longer than afterMs', async (t) => {
  const cases: Array<[string, StuckSpec, Array<[number, number]>, string[]]> = [
    ['constant: raised after afterMs, once', spec, [[0, 5], [1000, 5], [5000, 5], [9000, 5]], ['raise@5000']],
    ['jitter inside epsilon is still frozen', spec, [[0, 5], [2000, 5.05], [4000, 4.95], [5000, 5.1]], ['raise@5000']],
    ['drift is measured from where it froze, not step by step', spec, [[0, 5], [2000, 5.08], [4000, 5.16], [6000, 5.24]], []],
    ['a move past epsilon clears at once and restarts the clock', spec, [[0, 5], [5000, 5], [6000, 6], [10_000, 6], [11_000, 6]], ['raise@5000', 'clear@6000', 'raise@11000']],
    ['epsilon 0: any change counts', { epsilon: 0, afterMs: 1000 }, [[0, 1], [500, 2], [1000, 3], [1500, 3], [2500, 3]], ['raise@2500']],
  ];
  for (const [name, s, series, want] of cases) t.same(run(s, series), want, name);
});

t.test('reset (condition no longer holds) clears an active stuck fault and forgets the reference', async (t) => {
  const active = stepStuck(spec, { ref: 5, sinceMs: 0, active: false }, 5, 6000);
  t.equal(active.transition, 'raise');
  t.same(resetStuck(active.state), { state: STUCK_IDLE, transition: 'clear' });
  t.same(resetStuck(STUCK_IDLE), { state: STUCK_IDLE, transition: null });
});
