/**
 * Per-device order: which of two events of one alarm the device sent later. Every fault event
 * carries the device's sequence number (protocol/faultline.proto: 1, 2, 3, … durable across agent
 * restarts), so the alarm remembers the sequence of the newest event it applied; an event with a
 * lower one was sent earlier and arrived late (a resend after a reconnect, or a second collector
 * that committed after the first). A late event is stored and counted but does not move the
 * condition: the state equals the one computed in sequence order.
 *
 * - Gaps (an event evicted from a full agent outbox, or one of another alarm of the device) do not
 *   matter: only the order of this alarm's own events is compared.
 * - Sequence restart: the agent's outbox was wiped, so numbering began again at 1. Such an event has
 *   a lower number but a device time after the newest applied event's; it starts a new epoch and
 *   is applied. (A late event of the same epoch has a device time at or before the newer one's.)
 *   Not covered: an event of the old epoch still in flight when the new epoch's first event was
 *   applied carries a higher number and is taken as newer (the wipe discarded the rest of that
 *   epoch, so at most the broker's in-flight window of it).
 * - Events without a sequence (0) and alarms stored before sequences were kept fall back to the
 *   device-time comparisons of alarm-state.ts.
 */

/** The newest event applied to an alarm: its device sequence number and device time. */
export interface AppliedSeq {
  n: number;
  timeMs: number;
}

export type SequenceVerdict =
  /** Newer than anything applied (or nothing to compare with): apply it. */
  | 'newer'
  /** Lower sequence but later device time: the agent's numbering restarted; apply it. */
  | 'restart'
  /** Sent before the newest applied event: store it, do not move the condition. */
  | 'late'
  /** No sequence to compare (seq 0, or an alarm without one): compare device times instead. */
  | 'unsequenced';

export function sequenceVerdict(applied: AppliedSeq | undefined, e: { seq?: number; timeMs: number }): SequenceVerdict {
  const seq = e.seq ?? 0;
  if (seq <= 0 || applied === undefined) return 'unsequenced';
  if (seq > applied.n) return 'newer';
  if (e.timeMs > applied.timeMs) return 'restart';
  return 'late';
}
