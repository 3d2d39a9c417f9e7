/**
 * Login throttle over three scopes, each a sliding window of failed attempts:
 * - pair: one username from one client address (default 5 in 5 minutes): a person mistyping;
 * - address: every username from one address, IPv6 grouped by /64 (default 20): password spraying;
 * - account: one username from every address (default 50): a distributed guess at one account,
 *   set higher than the others because whoever reaches it locks the account out for everyone.
 * An attempt is refused while any of its scopes is full, until that scope's oldest failure ages out.
 * `reserve` counts the attempt as a failure before the password is checked, so a burst of parallel
 * attempts cannot all pass the check before the first failure is recorded; `succeeded` takes the
 * reservation back and clears the pair. Pure: the caller passes the time; each scope's map is bounded
 * to `maxKeys` entries (the least recently failed key is forgotten first).
 */
export interface LoginThrottlePolicy {
  /** Failures per username + address. */
  maxFailures: number;
  /** Failures per address (all usernames). */
  maxPerAddress: number;
  /** Failures per username (all addresses). */
  maxPerAccount: number;
  windowMs: number;
  /** Keys kept per scope. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  maxFailures: 5, maxPerAddress: 20, maxPerAccount: 50, windowMs: 5 * 60_000, maxKeys: 50_000,
};

export type ThrottleScope = 'pair' | 'address' | 'account';

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; scope: ThrottleScope };

/** An attempt counted as a failure until `succeeded` takes it back. */
export interface LoginReservation {
  readonly keys: Readonly<Record<ThrottleScope, string>>;
  readonly atMs: number;
}

export interface LoginThrottleCounters {
  failures: number;
  throttled: number;
  trackedKeys: number;
}

/**
 * The address scope's key: an IPv4 address as it is (an IPv4-mapped IPv6 address as its IPv4 form),
 * an IPv6 address by its /64 network (one subscriber usually holds a whole /64).
 */
export function addressScope(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function throttleKeys(username: string, address: string): Record<ThrottleScope, string> {
  const user = username.toLowerCase();
  return { pair: `${user}\u0000${address}`, address: addressScope(address), account: user };
}

export const THROTTLE_SCOPES: readonly ThrottleScope[] = ['pair', 'address', 'account'];
const SCOPES = THROTTLE_SCOPES;

export function scopeLimit(policy: LoginThrottlePolicy, scope: ThrottleScope): number {
  return scope === 'pair' ? policy.maxFailures : scope === 'address' ? policy.maxPerAddress : policy.maxPerAccount;
}

/**
 * The verdict on an attempt given each scope's failures inside the window (oldest first): refused
 * while a scope is full, until its oldest counted failure ages out. Pure; the in-memory throttle
 * and the store-backed one (shared by collectors) both decide with it.
 */
export function throttleVerdict(recent: Readonly<Record<ThrottleScope, readonly number[]>>, policy: LoginThrottlePolicy, nowMs: number): ThrottleVerdict {
  for (const scope of SCOPES) {
    const limit = scopeLimit(policy, scope);
    const times = recent[scope];
    if (times.length < limit) continue;
    const oldest = times[times.length - limit] ?? nowMs;
    return { allowed: false, retryAfterMs: Math.max(1, oldest + policy.windowMs - nowMs), scope };
  }
  return { allowed: true };
}

export class LoginThrottle {
  private readonly failures: Record<ThrottleScope, Map<string, number[]>> = { pair: new Map(), address: new Map(), account: new Map() };
  private failureCount = 0;
  private throttledCount = 0;

  constructor(private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  /**
   * Refuses (and counts the refusal) when a scope of this username + address is full; otherwise
   * records the attempt as a failure in every scope and returns the reservation.
   */
  reserve(username: string, address: string, nowMs: number): { verdict: ThrottleVerdict; reservation?: LoginReservation } {
    const keys = throttleKeys(username, address);
    const recent = { pair: this.recent('pair', keys.pair, nowMs), address: this.recent('address', keys.address, nowMs), account: this.recent('account', keys.account, nowMs) };
    const verdict = throttleVerdict(recent, this.policy, nowMs);
    if (!verdict.allowed) {
      this.throttledCount += 1;
      return { verdict };
    }
    for (const scope of SCOPES) this.record(scope, keys[scope], nowMs);
    this.failureCount += 1;
    return { verdict: { allowed: true }, reservation: { keys, atMs: nowMs } };
  }

  /** The reserved attempt succeeded: it is no failure, and the pair's earlier failures are cleared. */
  succeeded(r: LoginReservation): void {
    this.failureCount -= 1;
    this.failures.pair.delete(r.keys.pair);
    for (const scope of ['address', 'account'] as const) {
      const times = this.failures[scope].get(r.keys[scope]);
      const at = times?.lastIndexOf(r.atMs) ?? -1;
      if (!times || at < 0) continue;
      times.splice(at, 1);
      if (times.length === 0) this.failures[scope].delete(r.keys[scope]);
    }
  }

  counters(): LoginThrottleCounters {
    return { failures: this.failureCount, throttled: this.throttledCount, trackedKeys: this.failures.pair.size };
  }

  private limit(scope: ThrottleScope): number {
    return scopeLimit(this.policy, scope);
  }

  private record(scope: ThrottleScope, key: string, nowMs: number): void {
    const map = this.failures[scope];
    const recent = this.recent(scope, key, nowMs);
    recent.push(nowMs);
    // Re-insert so the map's order is least recently failed first; keep no more times than the limit needs.
    map.delete(key);
    map.set(key, recent.slice(-this.limit(scope)));
    while (map.size > this.policy.maxKeys) {
      const oldestKey = map.keys().next().value;
      if (oldestKey === undefined) break;
      map.delete(oldestKey);
    }
  }

  private recent(scope: ThrottleScope, key: string, nowMs: number): number[] {
    const map = this.failures[scope];
    const times = map.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > nowMs - this.policy.windowMs);
    if (kept.length === 0) map.delete(key);
    else if (kept.length !== times.length) map.set(key, kept);
    return kept;
  }
}
