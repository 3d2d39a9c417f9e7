/**
 * Counting instants in a sliding window (t − windowMs, t], for flood and chatter detection. An
 * instant x leaves the window exactly at x + windowMs, so when a count will fall is exact too.
 */

/** The times (ascending) still inside the window ending at atMs. */
export function inWindow(times: readonly number[], windowMs: number, atMs: number): number[] {
  return times.filter((x) => x > atMs - windowMs && x <= atMs);
}

/**
 * The instant at which, with no new times, at most `max` of `times` (ascending) remain in the
 * window; null when that is already so for the window ending at the latest time.
 */
export function instantCountFallsTo(times: readonly number[], windowMs: number, max: number): number | null {
  const k = times.length;
  if (k <= max) return null;
  const leaving = times[k - max - 1];
  return leaving === undefined ? null : leaving + windowMs;
}
