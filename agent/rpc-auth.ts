/**
 * Authorises a parameter write: the signature must be the HMAC-SHA256 (keyed with the device's
 * write key) of the canonical text in protocol/rpc-signing.ts, the deadline must lie ahead but
 * not more than MAX_WRITE_VALIDITY_MS, and the request id must not have been used before
 * (remembered until its deadline passes, in the agent's state so that a restart does not forget
 * it). Without a write key every write is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FaultlineError } from '../protocol/errors.js';
import { MAX_WRITE_VALIDITY_MS, writeSigningText } from '../protocol/rpc-signing.js';
import type { ParameterValue } from '../protocol/values.js';

/** Where the used request ids (id → deadline ms) are kept across restarts. */
export interface SeenStore {
  load(): Map<string, number>;
  save(seen: ReadonlyMap<string, number>): void;
}

/** A SeenStore in the outbox's key/value table (fsync'd like everything in it). */
export function outboxSeenStore(
  outbox: { getState(key: string): string | undefined; setState(key: string, value: string): void },
  device: string, log: { warn(obj: object, msg: string): void },
): SeenStore {
  const key = `rpc-seen/${device}`;
  return {
    load: () => {
      const text = outbox.getState(key);
      if (!text) return new Map();
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== 'object' || parsed === null) return new Map();
        return new Map(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'));
      } catch {
        log.warn({ key }, 'the stored write request ids are unreadable; starting without them (only deadlines bound a replay now)');
        return new Map();
      }
    },
    save: (seen) => outbox.setState(key, JSON.stringify(Object.fromEntries(seen))),
  };
}

export function signWrite(key: string, site: string, device: string, id: string, deadlineMs: number, values: readonly ParameterValue[]): string {
  return createHmac('sha256', key).update(writeSigningText(site, device, id, deadlineMs, values)).digest('hex');
}

export class WriteAuthorizer {
  private readonly seen: Map<string, number>;

  constructor(private readonly key: string | undefined, private readonly site: string, private readonly device: string, private readonly store?: SeenStore) {
    this.seen = store?.load() ?? new Map();
  }

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
    // Stored before the write goes out: a crash right after cannot make the id usable again.
    this.store?.save(this.seen);
  }
}
