import t from 'tap';
import { RATE_IDLE, stepRate, windowSlope, type RateSpec, type RateState } from '../../agent/core/rate-of-change.js';

const spec = (over: Partial<RateSpec> = {}): RateSpec => ({ direction: 'either', limitPerS: 2, deadbandPerS: 0.5, windowMs: 4000, onDelayMs: 0, offDelayMs: 0, ...over });

/** Runs [timeMs, value] pairs through one rate rule; returns its transitions with their times. */
function run(s: RateSpec, series: Array<[number, number]>): string[] {
  let state: RateState = RATE_IDLE;
  const out: string[] = [];
  for (const [time, value] of series) {
    const step = stepRate(s, state, value, time);
    state = step.state;
    if (step.transition) out.push(`${step.transition}@${time}`);
  }
  return out;
}

/** A value moving at `perS` units per second, sampled every second from t0 to t1. */
const line = (from: number, perS: number, t0: number, t1: number): Array<[number, number]> =>
  Array.from({ length: Math.floor((t1 - t0) / 1000) + 1 }, (_, i): [number, number] => [t0 + i * 1000, from + perS * i]);

t.test('rate of change: |Δvalue/Δt| over the window against a limit per second, with hysteresis', async (t) => {
  const cases: Array<[string, RateSpec, Array<[number, number]>, string[]]> = [
    ['flat: nothing', spec(), line(10, 0, 0, 10_000), []],
    ['below the limit: nothing', spec(), line(10, 1.9, 0, 10_000), []],
    ['above the limit: raised once half the window is covered', spec(), line(10, 3, 0, 10_000), ['raise@2000']],
    ['falling counts for "either"', spec(), line(100, -3, 0, 5000), ['raise@2000']],
    ['falling does not count for "rising"', spec({ direction: 'rising' }), line(100, -3, 0, 5000), []],
    ['rising does not count for "falling"', spec({ direction: 'falling' }), line(10, 3, 0, 5000), []],
    ['the on-delay applies to the slope', spec({ onDelayMs: 2000 }), line(10, 3, 0, 10_000), ['raise@4000']],
    ['clears once the window slope is under limit - deadband',
      spec(), [...line(10, 3, 0, 4000), ...line(22, 0, 5000, 12_000)], ['raise@2000', 'clear@6000']],
    ['a slope inside the deadband keeps it raised', spec(), [...line(10, 3, 0, 4000), ...line(23.8, 1.8, 5000, 12_000)], ['raise@2000']],
    ['a single spike over the window is a rate too', spec(), [[0, 10], [1000, 10], [2000, 10], [3000, 30], [4000, 30], [9000, 30]], ['raise@3000', 'clear@9000']],
  ];
  for (const [name, s, series, want] of cases) t.same(run(s, series), want, name);
});

t.test('the window stays bounded and keeps its oldest point', async (t) => {
  let state: RateState = RATE_IDLE;
  for (let time = 0; time <= 60_000; time += 10) state = stepRate(spec({ windowMs: 30_000 }), state, time / 1000, time).state;
  t.ok(state.points.length <= 65, `at most 65 points kept (${state.points.length})`);
  t.ok(state.points[0]![0] <= 30_000, 'the oldest point still covers the window');
  t.ok(Math.abs(windowSlope(state.points, 30_000)! - 1) < 1e-9, 'the slope is right after thinning');
});

t.test('no slope before half the window is covered', async (t) => {
  t.equal(windowSlope([[0, 1]], 1000), null);
  t.equal(windowSlope([[0, 1], [400, 5]], 1000), null);
  t.equal(windowSlope([[0, 1], [500, 2]], 1000), 2);
});
