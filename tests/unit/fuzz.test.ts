/**
 * Fuzzing, the small count `npm test` runs (seconds): every parser of outside input and every API
 * body (tests/fuzz/targets.ts) answers or refuses with a typed error, never crashes.
 * `npm run fuzz` runs the same targets with ≥ 1,000,000 inputs.
 */
import t from 'tap';
import { apiUnderFuzz } from '../fuzz/api-under-fuzz.js';
import { PURE_TARGETS, runTarget } from '../fuzz/targets.js';

for (const target of PURE_TARGETS) {
  t.test(target.name, async (t) => {
    const r = await runTarget(target, 300 * target.weight);
    t.equal(r.failure, null, r.failure ?? 'no crash');
  });
}

t.test('API bodies', async (t) => {
  const { target } = await apiUnderFuzz(t);
  t.ok(target.name.match(/\((\d+) routes\)/) && Number(/\((\d+) routes/.exec(target.name)?.[1]) >= 20, `${target.name}: the routes that take a body`);
  const r = await runTarget(target, 200);
  t.equal(r.failure, null, r.failure ?? 'no 5xx');
});
