/** How long the collector waits for a device's RPC answer (pure). The request's deadline is the same instant. */
import { MAX_WRITE_VALIDITY_MS } from '../../protocol/rpc-signing.js';

export const DEFAULT_RPC_TIMEOUT_MS = 5_000;
export const MAX_RPC_TIMEOUT_MS = 30_000;
export const MIN_RPC_TIMEOUT_MS = 100;
/** A signed write waits (and is valid) this long unless the caller asks for less. */
export const DEFAULT_WRITE_TIMEOUT_MS = 30_000;

/** The wait for a request: the default when none is asked for, clamped to [MIN, MAX]. */
export function rpcTimeoutMs(requested: number | undefined, fallback = DEFAULT_RPC_TIMEOUT_MS): number {
  const want = requested === undefined || !Number.isFinite(requested) ? fallback : Math.floor(requested);
  return Math.min(MAX_RPC_TIMEOUT_MS, MAX_WRITE_VALIDITY_MS, Math.max(MIN_RPC_TIMEOUT_MS, want));
}
