/**
 * Dashboard sessions: the cookie carries 32 random bytes, the table only their SHA-256. A session
 * ends on logout, after the idle timeout or the absolute lifetime (collector/core/session-expiry.ts),
 * when its user is disabled or removed, or when the user's password changes.
 */
import { isDiskFull } from '../disk-full.js';
import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_SESSION_POLICY, sessionEndsAt, sessionExpired, sessionNeedsTouch, type SessionPolicy } from '../../core/access/session-expiry.js';
import { csrfTokenFor, newSecret, secretHash } from '../../users/secret-token.js';
import type { UserStore } from './user-store.js';
import type { IssuedSession, ActiveSession } from '../port/users.js';

interface SessionRow {
  id_hash: string;
  user_id: number;
  created_ms: number;
  last_seen_ms: number;
}

export class SessionStore {
  /** Every request with a session cookie looks its session up: prepared once. */
  private readonly byHash: Statement<[string], SessionRow>;

  constructor(private readonly db: Database, private readonly users: UserStore, readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY) {
    this.byHash = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_hash = ?');
  }

  create(userId: number, nowMs: number): IssuedSession {
    const sessionId = newSecret();
    this.db.prepare('INSERT INTO sessions (id_hash, user_id, created_ms, last_seen_ms) VALUES (?, ?, ?, ?)').run(secretHash(sessionId), userId, nowMs, nowMs);
    return { sessionId, csrfToken: csrfTokenFor(sessionId), endsAtMs: sessionEndsAt({ createdMs: nowMs, lastSeenMs: nowMs }, this.policy) };
  }

  /** The live session with this id, its idle clock moved forward; undefined when unknown, expired or its user is disabled. */
  resolve(sessionId: string, nowMs: number): ActiveSession | undefined {
    const idHash = secretHash(sessionId);
    const row = this.byHash.get(idHash);
    if (!row) return undefined;
    const times = { createdMs: row.created_ms, lastSeenMs: row.last_seen_ms };
    if (sessionExpired(times, nowMs, this.policy)) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
      return undefined;
    }
    const user = this.users.byId(row.user_id);
    if (!user || user.disabledMs !== null) return undefined;
    if (sessionNeedsTouch(times, nowMs, this.policy)) {
      try {
        this.db.prepare('UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ?').run(nowMs, idHash);
        times.lastSeenMs = nowMs;
      } catch (err) {
        if (!isDiskFull(err)) throw err; // a full disk: the idle clock stays where it was, reads go on
      }
    }
    return { user, csrfToken: csrfTokenFor(sessionId), endsAtMs: sessionEndsAt(times, this.policy) };
  }

  /** Whether the session is still live, without moving its idle clock (a live stream is not activity). */
  isLive(sessionId: string, nowMs: number): boolean {
    const row = this.byHash.get(secretHash(sessionId));
    if (!row || sessionExpired({ createdMs: row.created_ms, lastSeenMs: row.last_seen_ms }, nowMs, this.policy)) return false;
    const user = this.users.byId(row.user_id);
    return user !== undefined && user.disabledMs === null;
  }

  remove(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(secretHash(sessionId));
  }

  removeForUser(userId: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  countForUser(userId: number): number {
    return this.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(userId)?.n ?? 0;
  }

  /** Deletes every expired session; returns how many. */
  prune(nowMs: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE last_seen_ms <= ? OR created_ms <= ?')
      .run(nowMs - this.policy.idleMs, nowMs - this.policy.absoluteMs).changes;
  }
}
