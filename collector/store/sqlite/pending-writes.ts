/**
 * Writes a store part keeps back during a transaction and makes just before it commits: records
 * appended many times per batch (audit rows, one multi-row insert), or state rewritten many times
 * per batch where only the last value matters (a site's flood state, an object's timer). The store
 * flushes every part before each commit and before each savepoint begins, and discards what is
 * pending when a transaction or savepoint rolls back, so nothing kept back outlives its transaction.
 * A part that reads its own table inside a transaction flushes itself first.
 */
export interface PendingWrites {
  /** Writes what is pending, inside the current transaction. */
  flush(): void;
  /** Forgets what is pending (its transaction or savepoint rolled back). */
  discard(): void;
}

/** Flushes or discards several parts as one. */
export function pendingGroup(parts: readonly PendingWrites[]): PendingWrites {
  return {
    flush: () => { for (const p of parts) p.flush(); },
    discard: () => { for (const p of parts) p.discard(); },
  };
}
