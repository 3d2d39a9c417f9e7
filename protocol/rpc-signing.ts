/**
 * What a parameter write's signature covers. The collector signs this text with the device's
 * write key (HMAC-SHA256, hex); the agent recomputes it and refuses a write whose signature
 * differs, whose deadline has passed or lies too far ahead, or whose id it has already seen.
 * Pure: the HMAC itself is computed at the edges (node:crypto).
 */
import type { ParameterValue } from './values.js';

/** A signed write is valid for at most this long after it was made. */
export const MAX_WRITE_VALIDITY_MS = 5 * 60_000;

/**
 * The values as JSON ([[name, value], …]): unambiguous whatever a parameter name contains (with a
 * plain "name=value;…" list, a name holding "=" or ";" could make two different writes sign alike).
 */
export function writeSigningText(site: string, device: string, id: string, deadlineMs: number, values: readonly ParameterValue[]): string {
  const body = JSON.stringify(values.map((v) => [v.name, v.value]));
  return `faultline-write-v2\n${JSON.stringify([site, device, id, deadlineMs])}\n${body}`;
}
