/**
 * Counting instants in a sliding window (t − windowMs, t], for flood and chatter detection. An
 * instant x leaves the window exactly at x + windowMs, so when a count will fall is exact too.
 */

/**
 * The times (ascending) still inside the window ending at atMs. Times arrive in order, so usually
 * only a few leave at the front: those are skipped without looking at the rest (a flood's window
 * can hold thousands of times, and this runs on every new alarm of the site).
 */
export function inWindow(times: readonly number[], windowMs: number, atMs: number): number[] {
  const from = atMs - windowMs;
  let first = 0;
  while (first < times.length && (times[first] as number) <= from) first++;
  // The rest must be ascending and not after atMs for a plain cut; otherwise (a clock stepped back) filter.
  for (let i = first + 1; i < times.length; i++) if ((times[i] as number) < (times[i - 1] as number)) return times.filter((x) => x > from && x <= atMs);
  const last = times[times.length - 1];
  if (last !== undefined && last > atMs) return times.filter((x) => x > from && x <= atMs);
  return times.slice(first);
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
