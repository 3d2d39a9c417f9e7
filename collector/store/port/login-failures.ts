/**
 * Failed sign-ins by throttle scope (core/access/login-throttle.ts), kept in the store so that every
 * collector sharing it throttles the same guesses: an attacker cannot multiply the limits by the
 * number of collectors behind the load balancer.
 */
import type { ThrottleScope } from '../../core/access/login-throttle.js';

export type ThrottleKeys = Readonly<Record<ThrottleScope, string>>;

export interface LoginFailuresPort {
  /**
   * One atomic step: reads each key's failures after `sinceMs` (oldest first), asks `decide`, and when
   * it allows records one failure at `nowMs` under every key (taken back by `succeeded`). Concurrent
   * calls for the same keys, from any collector, take turns. Resolves with what `decide` said.
   */
  reserve(keys: ThrottleKeys, sinceMs: number, nowMs: number, decide: (recent: Record<ThrottleScope, number[]>) => boolean): Promise<boolean>;
  /** The reserved attempt succeeded: its failure at `atMs` is taken back, and the pair's earlier failures are cleared. */
  succeeded(keys: ThrottleKeys, atMs: number): Promise<void>;
  /** Forgets failures at or before `beforeMs`; returns how many. */
  prune(beforeMs: number): Promise<number>;
}
