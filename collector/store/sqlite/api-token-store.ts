/**
 * API tokens for scripts and integrations: `flt_` + 32 random bytes (base64url), shown once, stored
 * only as SHA-256. A token acts as its user with the user's current role; it stops working when
 * revoked, or while its user is disabled, and goes with its user. Tokens do not expire on their own.
 */
import { isDiskFull } from '../disk-full.js';
import type { Database, Statement } from 'better-sqlite3';
import { newSecret, secretHash } from '../../users/secret-token.js';
import { userError } from '../../users/user-errors.js';
import type { UserStore } from './user-store.js';
import type { TokenInfo, ActiveToken } from '../port/users.js';

export const TOKEN_PREFIX = 'flt_';
/** last-used is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  created_ms: number;
  last_used_ms: number | null;
}

const info = (r: TokenRow): TokenInfo => ({ id: r.id, name: r.name, createdMs: r.created_ms, lastUsedMs: r.last_used_ms });

export class ApiTokenStore {
  /** Every API request resolves its token: prepared once. */
  private readonly byHash: Statement<[string], TokenRow>;

  constructor(private readonly db: Database, private readonly users: UserStore) {
    this.byHash = db.prepare<[string], TokenRow>('SELECT id, user_id, name, created_ms, last_used_ms FROM api_tokens WHERE token_hash = ?');
  }

  /** A new token for the user; the returned `token` is the only time it exists in clear. */
  create(userId: number, name: string, nowMs: number): { token: string; info: TokenInfo } {
    const clean = name.trim();
    if (clean === '' || clean.length > 80) throw userError('FL_ERR_USER_INVALID', 'a token name must have 1-80 characters', { hint: 'name it for what uses it, e.g. "grafana"' });
    const token = newSecret(TOKEN_PREFIX);
    const id = Number(this.db.prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_ms) VALUES (?, ?, ?, ?)')
      .run(userId, clean, secretHash(token), nowMs).lastInsertRowid);
    return { token, info: { id, name: clean, createdMs: nowMs, lastUsedMs: null } };
  }

  list(userId: number): TokenInfo[] {
    return this.db.prepare<[number], TokenRow>('SELECT id, user_id, name, created_ms, last_used_ms FROM api_tokens WHERE user_id = ? ORDER BY id').all(userId).map(info);
  }

  /** Revokes one of the user's tokens. */
  revoke(userId: number, tokenId: number): void {
    const changes = this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(tokenId, userId).changes;
    if (changes === 0) throw userError('FL_ERR_TOKEN_NOT_FOUND', `no API token ${tokenId} for this user`, { context: { tokenId } });
  }

  /** Revokes every token of the user; returns the tokens revoked. */
  revokeAll(userId: number): TokenInfo[] {
    return this.db.prepare<[number], TokenRow>('DELETE FROM api_tokens WHERE user_id = ? RETURNING id, user_id, name, created_ms, last_used_ms').all(userId)
      .map(info).sort((a, b) => a.id - b.id);
  }

  /** The token's user (enabled) and the token's name; undefined when unknown or revoked. */
  resolve(token: string, nowMs: number): ActiveToken | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = this.byHash.get(secretHash(token));
    if (!row) return undefined;
    const user = this.users.byId(row.user_id);
    if (!user || user.disabledMs !== null) return undefined;
    if (row.last_used_ms === null || nowMs - row.last_used_ms >= TOUCH_EVERY_MS) {
      try {
        this.db.prepare('UPDATE api_tokens SET last_used_ms = ? WHERE id = ?').run(nowMs, row.id);
        row.last_used_ms = nowMs;
      } catch (err) {
        if (!isDiskFull(err)) throw err; // a full disk: last use not recorded, reads go on
      }
    }
    return { user, token: info(row) };
  }
}
