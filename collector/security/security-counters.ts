/** What the broker refused since start, for /api/health. Never holds a password. */
import { CLIP_AT, clipText } from '../../protocol/clip-text.js';

export const REFUSAL_REASONS = [
  /** CONNECT without a user name while authentication is required. */
  'missing-credentials',
  /** Unknown user, wrong password, or a revoked credential. */
  'bad-credentials',
  /** A device connecting with another client id than its own. */
  'client-id',
  /** A last will outside the client's own topics. */
  'will',
  /** PUBLISH outside the client's own topics. */
  'publish',
  /** SUBSCRIBE to anything but the client's own rpc/req. */
  'subscribe',
  /** A connected client dropped because its credential was revoked or replaced. */
  'revoked-session',
  /** An anonymous client dropped because authentication became required. */
  'anonymous-session',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface RefusalEntry {
  timeMs: number;
  reason: RefusalReason;
  /** The user name given ('' when none); a user name is not a secret. */
  username: string;
  clientId: string;
  /** The topic or filter refused, '' for connection refusals. */
  topic: string;
  message: string;
}

export interface SecurityCountersSnapshot {
  /** 'off' | 'open' (no credential yet) | 'required' */
  auth: 'off' | 'open' | 'required';
  refused: Record<RefusalReason, number>;
  authenticated: number;
  lastRefusals: RefusalEntry[];
}

export const LAST_REFUSALS_KEPT = 20;

export class SecurityCounters {
  private readonly refused = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
  private authenticated = 0;
  private readonly last: RefusalEntry[] = [];

  /** The user name, client id, topic and message come from the client: kept clipped (CLIP_AT). */
  refusedOne(entry: RefusalEntry): void {
    this.refused[entry.reason]++;
    this.last.unshift({
      ...entry, username: clipText(entry.username), clientId: clipText(entry.clientId), topic: clipText(entry.topic), message: clipText(entry.message, CLIP_AT * 2),
    });
    if (this.last.length > LAST_REFUSALS_KEPT) this.last.length = LAST_REFUSALS_KEPT;
  }

  authenticatedOne(): void {
    this.authenticated++;
  }

  snapshot(auth: SecurityCountersSnapshot['auth']): SecurityCountersSnapshot {
    return { auth, refused: { ...this.refused }, authenticated: this.authenticated, lastRefusals: this.last.map((e) => ({ ...e })) };
  }
}
