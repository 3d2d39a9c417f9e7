/**
 * What a full outbox gives up to make room, as plain data (no I/O).
 *
 * Order: telemetry first, then status, then fault events — each oldest first, across every
 * device sharing the outbox. A message may only push out messages of its own kind or of a
 * less important one: telemetry never evicts a status or an event, a status never evicts an
 * event. When that cannot free enough room the *incoming* message is refused instead (and
 * counted as an eviction of its kind). So fault events are lost only when the outbox holds
 * nothing but fault events, and then the oldest go first.
 */
import type { KindCounts, OutboxKind } from './types.js';

/** Kinds in the order they are evicted. */
export const EVICTION_ORDER: readonly OutboxKind[] = ['telemetry', 'status', 'event'];

function rank(kind: OutboxKind): number {
  return EVICTION_ORDER.indexOf(kind);
}

/** Kinds an incoming message of `incoming` may evict, in eviction order. */
export function evictableFor(incoming: OutboxKind): OutboxKind[] {
  return EVICTION_ORDER.filter((k) => rank(k) <= rank(incoming));
}

export type RoomPlan =
  | { action: 'store' }
  | { action: 'evict'; kinds: OutboxKind[]; needBytes: number }
  | { action: 'refuse' };

/**
 * Decides how to fit `bytes` more into an outbox holding `usedBytes` of `maxBytes`, given the
 * bytes held per kind. Eviction happens only when it can free enough; otherwise the newcomer is refused.
 */
export function planRoom(incoming: OutboxKind, bytes: number, usedBytes: number, maxBytes: number, bytesByKind: KindCounts): RoomPlan {
  const needBytes = usedBytes + bytes - maxBytes;
  if (needBytes <= 0) return { action: 'store' };
  const kinds = evictableFor(incoming);
  const available = kinds.reduce((sum, k) => sum + bytesByKind[k], 0);
  if (available < needBytes) return { action: 'refuse' };
  return { action: 'evict', kinds, needBytes };
}
