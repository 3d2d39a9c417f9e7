import t from 'tap';
import { LIMIT_IDLE, stepLimit, type LimitSpec, type LimitState } from '../../agent/core/hysteresis.js';

const above: LimitSpec = { direction: 'above', limit: 80, deadband: 5, onDelayMs: 2000, offDelayMs: 1000 };
const below: LimitSpec = { direction: 'below', limit: 10, deadband: 2, onDelayMs: 0, offDelayMs: 0 };
const belowDelayed: LimitSpec = { direction: 'below', limit: 10, deadband: 2, onDelayMs: 500, offDelayMs: 2000 };
const zeroBand: LimitSpec = { direction: 'above', limit: 5, deadband: 0, onDelayMs: 0, offDelayMs: 0 };

/** Runs a series of [timeMs, value] through the rule and returns the transitions with their times. */
function run(spec: LimitSpec, series: Array<[number, number]>): string[] {
  let state: LimitState = LIMIT_IDLE;
  const out: string[] = [];
  for (const [time, value] of series) {
    const step = stepLimit(spec, state, value, time);
    state = step.state;
    if (step.transition) out.push(`${step.transition}@${time}`);
  }
  return out;
}

t.test('threshold with deadband and on/off delays', async (t) => {
  const cases: Array<[string, LimitSpec, Array<[number, number]>, string[]]> = [
    ['raises only after the on-delay', above, [[0, 81], [1000, 82], [2000, 83]], ['raise@2000']],
    ['a short spike does not raise', above, [[0, 81], [1000, 79], [2000, 81], [3000, 79]], []],
    ['at the limit is not past it', above, [[0, 80], [5000, 80]], []],
    ['inside the deadband it stays raised (no chatter)', above, [[0, 90], [2000, 90], [3000, 78], [5000, 76], [9000, 79]], ['raise@2000']],
    ['clears below limit - deadband after the off-delay', above, [[0, 90], [2000, 90], [3000, 75], [3500, 74], [4000, 74]], ['raise@2000', 'clear@4000']],
    ['an excursion back during the off-delay restarts it', above, [[0, 90], [2000, 90], [3000, 75], [3500, 77], [4000, 75], [4500, 75], [5000, 75]], ['raise@2000', 'clear@5000']],
    ['hovering at the limit does not chatter', above, [[0, 81], [2000, 81], [2500, 79], [3000, 81], [3500, 79], [4000, 81]], ['raise@2000']],
    ['below direction, no delays', below, [[0, 9], [1, 11], [2, 12], [3, 9]], ['raise@0', 'clear@2', 'raise@3']],
    ['below direction: clears exactly at limit + deadband', below, [[0, 9], [1, 11.99], [2, 12]], ['raise@0', 'clear@2']],
    ['below direction with delays', belowDelayed, [[0, 9], [400, 9], [500, 9], [600, 13], [1500, 13], [2600, 13]], ['raise@500', 'clear@2600']],
    ['a zero deadband clears as soon as the value is back at the limit', zeroBand, [[0, 6], [1, 5], [2, 6]], ['raise@0', 'clear@1', 'raise@2']],
    ['the on-delay restarts after an interruption', above, [[0, 81], [1500, 79], [2000, 81], [3500, 81], [4000, 81]], ['raise@4000']],
  ];
  for (const [name, spec, series, want] of cases) t.same(run(spec, series), want, name);
});
