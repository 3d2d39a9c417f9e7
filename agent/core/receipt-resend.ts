/**
 * When a fault event the broker acknowledged but no collector has receipted goes out again, as
 * plain data (no I/O, time passed in). The first resend waits `firstMs` after the PUBACK; each
 * further one twice as long as the one before, never longer than `maxMs`: a collector that is
 * away for hours costs a few publishes per event per `maxMs`, and one that is back gets the
 * events within `maxMs`.
 */
export interface ResendPolicy {
  /** Wait after the first PUBACK without a receipt. */
  firstMs: number;
  /** Longest wait between two sends of one event. */
  maxMs: number;
}

export const DEFAULT_RESEND_POLICY: ResendPolicy = { firstMs: 30_000, maxMs: 300_000 };

/** The wait after the `sends`-th PUBACKed send of an event (1 = the first send). */
export function resendDelayMs(sends: number, policy: ResendPolicy): number {
  const n = Math.max(1, Math.floor(sends));
  const doublings = Math.min(n - 1, 40);
  return Math.min(policy.maxMs, Math.max(policy.firstMs, policy.firstMs * 2 ** doublings));
}

/** When an event PUBACKed for the `sends`-th time at `nowMs` is due again without a receipt. */
export function resendAt(nowMs: number, sends: number, policy: ResendPolicy): number {
  return nowMs + resendDelayMs(sends, policy);
}
