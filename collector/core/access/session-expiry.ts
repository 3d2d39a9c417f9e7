/**
 * When a dashboard session ends: after `idleMs` without a request, or `absoluteMs` after login,
 * whichever comes first. Pure.
 */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** last-seen is written back at most this often (a write per request would be wasted work). */
  touchEveryMs: number;
}

/** 12 hours idle (one shift), 7 days at most. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 24 * 3_600_000, touchEveryMs: 60_000 };

export interface SessionTimes {
  createdMs: number;
  lastSeenMs: number;
}

/** The instant the session ends if nothing else happens. */
export function sessionEndsAt(s: SessionTimes, policy: SessionPolicy = DEFAULT_SESSION_POLICY): number {
  return Math.min(s.lastSeenMs + policy.idleMs, s.createdMs + policy.absoluteMs);
}

export function sessionExpired(s: SessionTimes, nowMs: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): boolean {
  return nowMs >= sessionEndsAt(s, policy);
}

/** Whether this request should move last-seen forward in the store. */
export function sessionNeedsTouch(s: SessionTimes, nowMs: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): boolean {
  return nowMs - s.lastSeenMs >= policy.touchEveryMs;
}
