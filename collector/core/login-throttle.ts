/**
 * Login throttle: at most `maxFailures` failed logins per key (username + client address) within
 * `windowMs`; further attempts are refused until the oldest failure in the window ages out. A
 * successful login clears the key. Pure: the caller passes the time; state is this object's map,
 * bounded to `maxKeys` entries (the oldest key is forgotten first).
 */
export interface LoginThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  maxKeys: number;
}

/** 5 failures per username + address in 5 minutes. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = { maxFailures: 5, windowMs: 5 * 60_000, maxKeys: 10_000 };

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface LoginThrottleCounters {
  failures: number;
  throttled: number;
  trackedKeys: number;
}

export function throttleKey(username: string, address: string): string {
  return `${username.toLowerCase()}\u0000${address}`;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private failureCount = 0;
  private throttledCount = 0;

  constructor(private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  /** May this key try now? A refusal is counted. */
  check(key: string, nowMs: number): ThrottleVerdict {
    const recent = this.recent(key, nowMs);
    if (recent.length < this.policy.maxFailures) return { allowed: true };
    this.throttledCount += 1;
    const oldest = recent[recent.length - this.policy.maxFailures] ?? nowMs;
    return { allowed: false, retryAfterMs: Math.max(1, oldest + this.policy.windowMs - nowMs) };
  }

  recordFailure(key: string, nowMs: number): void {
    const recent = this.recent(key, nowMs);
    recent.push(nowMs);
    this.failureCount += 1;
    // Re-insert so the map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.policy.maxFailures));
    while (this.failures.size > this.policy.maxKeys) {
      const oldestKey = this.failures.keys().next().value;
      if (oldestKey === undefined) break;
      this.failures.delete(oldestKey);
    }
  }

  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  counters(): LoginThrottleCounters {
    return { failures: this.failureCount, throttled: this.throttledCount, trackedKeys: this.failures.size };
  }

  private recent(key: string, nowMs: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > nowMs - this.policy.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== times.length) this.failures.set(key, kept);
    return kept;
  }
}
