/** Eviction's rows: deleting the oldest messages of the kinds eviction.ts chose, inside the caller's transaction. */
import type { Statements } from './statements.js';
import type { HeldTally } from './tally.js';
import type { OutboxKind } from './types.js';

/** Rows read per step while evicting. */
const EVICT_STEP = 256;

/**
 * Deletes the oldest messages of `kinds`, in that order, until `needBytes` are freed (the caller
 * checked they can be), keeping `held` in step; returns how many went, per device and kind.
 */
export function evictOldestRows(st: Statements, held: HeldTally, kinds: readonly OutboxKind[], needBytes: number): Array<{ device: string; kind: OutboxKind; n: number }> {
  const evicted: Array<{ device: string; kind: OutboxKind; n: number }> = [];
  let need = needBytes;
  for (const kind of kinds) {
    while (need > 0) {
      const rows = st.oldestOfKind.all(kind, EVICT_STEP);
      if (rows.length === 0) break;
      const perDevice = new Map<string, number>();
      let last = 0;
      for (const r of rows) {
        if (need <= 0) break;
        need -= r.bytes;
        last = r.seq;
        held.remove(r.device, r.kind, r.bytes);
        perDevice.set(r.device, (perDevice.get(r.device) ?? 0) + 1);
      }
      st.deleteKindUpTo.run(kind, last);
      for (const [device, n] of perDevice) evicted.push({ device, kind, n });
    }
    if (need <= 0) break;
  }
  return evicted;
}
