/**
 * Authorises a parameter write: the signature must be the HMAC-SHA256 (keyed with the device's
 * write key) of the canonical text in protocol/rpc-signing.ts, the deadline must lie ahead but
 * not more than MAX_WRITE_VALIDITY_MS, and the request id must not have been used before
 * (remembered until its deadline passes). Without a write key every write is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FaultlineError } from '../protocol/errors.js';
import { MAX_WRITE_VALIDITY_MS, writeSigningText } from '../protocol/rpc-signing.js';
import type { ParameterValue } from '../protocol/values.js';

export function signWrite(key: string, site: string, device: string, id: string, deadlineMs: number, values: readonly ParameterValue[]): string {
  return createHmac('sha256', key).update(writeSigningText(site, device, id, deadlineMs, values)).digest('hex');
}

export class WriteAuthorizer {
  private readonly seen = new Map<string, number>();

  constructor(private readonly key: string | undefined, private readonly site: string, private readonly device: string) {}

  check(id: string, deadlineMs: number, values: readonly ParameterValue[], signature: string, nowMs: number): void {
    const refuse = (why: string): never => {
      throw new FaultlineError('FL_ERR_RPC_UNAUTHORIZED', `write refused: ${why}`, { context: { id } });
    };
    if (!this.key) refuse('this device has no write key configured (devices[].writeKey)');
    if (!(deadlineMs > nowMs)) refuse('the request has no deadline or it has passed');
    if (deadlineMs - nowMs > MAX_WRITE_VALIDITY_MS) refuse(`the deadline is more than ${MAX_WRITE_VALIDITY_MS / 1000} s ahead`);
    for (const [seenId, until] of this.seen) if (until < nowMs) this.seen.delete(seenId);
    if (this.seen.has(id)) refuse('this request id was already used (replay)');
    const want = Buffer.from(signWrite(this.key ?? '', this.site, this.device, id, deadlineMs, values), 'hex');
    const got = Buffer.from(/^[0-9a-f]{64}$/i.test(signature) ? signature : '', 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) refuse('bad signature');
    this.seen.set(id, deadlineMs);
  }
}
