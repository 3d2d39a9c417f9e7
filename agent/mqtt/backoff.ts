/**
 * Reconnect delays: exponential backoff with full jitter above a floor. Attempt n (0 = the first
 * retry after a connection was lost or refused) waits a uniformly random time in
 * [minMs, min(maxMs, minMs · 2^n)], so a plant of agents that lost the same broker does not
 * come back in lockstep, and none retries faster than minMs. Pure; the caller owns the timer.
 */
import { FaultlineError } from '../../protocol/errors.js';

export interface BackoffOptions {
  /** Shortest wait, and the first attempt's ceiling. */
  minMs: number;
  /** Longest wait. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1000, maxMs: 10_000 };

export function checkBackoff(o: BackoffOptions): void {
  if (!(Number.isFinite(o.minMs) && o.minMs >= 1 && Number.isFinite(o.maxMs) && o.maxMs >= o.minMs)) {
    throw new FaultlineError('FL_ERR_MQTT_CONFIG', `invalid reconnect backoff: minMs ${o.minMs}, maxMs ${o.maxMs}`, {
      context: { ...o }, hint: 'set mqtt.reconnect.minMs to at least 1 and mqtt.reconnect.maxMs to at least minMs',
    });
  }
}

/** The wait before reconnect attempt `attempt` (0-based); `random` returns [0, 1). */
export function reconnectDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.minMs * 2 ** Math.min(Math.max(0, attempt), 40));
  return Math.round(o.minMs + random() * (ceiling - o.minMs));
}
