/** Evaluates a rule's `when` condition against one poll's samples. Pure. */
import type { RuleCondition } from '../../firmware-adapters/schema.js';
import type { Sample } from '../../protocol/values.js';

/** true/false when the condition can be judged, null when its parameter has no good sample this poll. */
export function conditionHolds(cond: RuleCondition | undefined, samples: ReadonlyMap<string, Sample>): boolean | null {
  if (!cond) return true;
  const s = samples.get(cond.parameter);
  if (!s || s.quality !== 'good') return null;
  const v = s.value;
  // Scaled registers decode with float error (0.1 * 3 = 0.30000000000000004): equal means equal to 1e-9.
  const same = Math.abs(v - cond.value) <= 1e-9 * Math.max(1, Math.abs(cond.value));
  switch (cond.op) {
    case 'eq': return same;
    case 'ne': return !same;
    case 'gt': return v > cond.value;
    case 'ge': return v >= cond.value;
    case 'lt': return v < cond.value;
    case 'le': return v <= cond.value;
  }
}
