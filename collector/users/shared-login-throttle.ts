/**
 * The login throttle every collector on one store shares: the failures live in the store
 * (store/port/login-failures.ts), the verdict is the pure core's (throttleVerdict), so the limits
 * hold whichever collector a guess reaches. The counters are this process's, for its /metrics.
 */
import {
  DEFAULT_LOGIN_THROTTLE, throttleKeys, throttleVerdict,
  type LoginReservation, type LoginThrottleCounters, type LoginThrottlePolicy, type ThrottleVerdict,
} from '../core/access/login-throttle.js';
import type { LoginFailuresPort } from '../store/port.js';

/** What the sign-in route needs from a throttle (the in-memory LoginThrottle fits too). */
export interface LoginGate {
  reserve(username: string, address: string, nowMs: number): Promise<{ verdict: ThrottleVerdict; reservation?: LoginReservation }> | { verdict: ThrottleVerdict; reservation?: LoginReservation };
  succeeded(r: LoginReservation): Promise<void> | void;
  counters(): LoginThrottleCounters;
}

/** Old failures are dropped from the store at most this often. */
const PRUNE_EVERY_MS = 60_000;

export class SharedLoginThrottle implements LoginGate {
  private failures = 0;
  private throttled = 0;
  private prunedAtMs = 0;

  constructor(private readonly store: LoginFailuresPort, private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  async reserve(username: string, address: string, nowMs: number): Promise<{ verdict: ThrottleVerdict; reservation?: LoginReservation }> {
    const keys = throttleKeys(username, address);
    const sinceMs = nowMs - this.policy.windowMs;
    if (nowMs - this.prunedAtMs >= PRUNE_EVERY_MS) {
      this.prunedAtMs = nowMs;
      await this.store.prune(sinceMs);
    }
    let verdict: ThrottleVerdict = { allowed: true };
    await this.store.reserve(keys, sinceMs, nowMs, (recent) => {
      verdict = throttleVerdict(recent, this.policy, nowMs);
      return verdict.allowed;
    });
    if (!verdict.allowed) {
      this.throttled += 1;
      return { verdict };
    }
    this.failures += 1;
    return { verdict, reservation: { keys, atMs: nowMs } };
  }

  async succeeded(r: LoginReservation): Promise<void> {
    this.failures -= 1;
    await this.store.succeeded(r.keys, r.atMs);
  }

  counters(): LoginThrottleCounters {
    return { failures: this.failures, throttled: this.throttled, trackedKeys: 0 };
  }
}
