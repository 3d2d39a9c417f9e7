/**
 * Users, login sessions, API tokens, broker credentials and sealed device write keys on PostgreSQL:
 * the SQLite adapter's rules (user-store.ts, session-store.ts, api-token-store.ts,
 * credential-store.ts, device-key-store.ts), asynchronous, each write that touches several rows in
 * one transaction. The last-admin rule is checked under a transaction-level advisory lock so two
 * collectors cannot each remove one of the last two admins.
 */
import { nextPosition } from '../keyset-sql.js';
import { userPageSql, userPosition } from '../list-page-sql.js';
import type pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';
import { isRole } from '../../core/access/roles.js';
import { sessionEndsAt, sessionExpired, sessionNeedsTouch, type SessionPolicy } from '../../core/access/session-expiry.js';
import { checkPassword, normalizeUsername, USERNAME_PATTERN } from '../../core/access/user-names.js';
import { deviceUsername } from '../../security/acl-rules.js';
import { hashDeviceSecret } from '../../security/device-secret-hash.js';
import { DEFAULT_COST, generatePassword, hashPassword, verifyAgainstNothing, verifyPassword, type ScryptCost } from '../../security/password-hash.js';
import { openWriteKey, sealWriteKey } from '../../security/write-key-cipher.js';
import { csrfTokenFor, newSecret, secretHash } from '../../users/secret-token.js';
import { userError } from '../../users/user-errors.js';
import type { CredentialIdentity, CredentialInfo, CredentialRecord, CredentialsPort, IssuedCredential } from '../port/credentials.js';
import type { ActiveSession, ActiveToken, IssuedSession, NewUser, SessionsPort, TokenInfo, TokensPort, UserChanges, UserRecord, UsersPort } from '../port/users.js';
import { info as credentialInfo, usernameOf } from '../sqlite/credential-store.js';
import { TOKEN_PREFIX } from '../sqlite/api-token-store.js';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCK_CREDENTIAL_CHANGES, ADVISORY_LOCK_USERS } from './advisory-locks.js';
import type { Queryable } from './pool.js';
import type { WithTx } from './pg-transaction.js';

const TOUCH_EVERY_MS = 60_000;

interface UserRow {
  id: number; username: string; display_name: string; role: string; password_hash: string;
  created_ms: number; password_changed_ms: number; last_login_ms: number | null; disabled_ms: number | null;
}
interface SessionRow { id_hash: string; user_id: number; created_ms: number; last_seen_ms: number }
interface TokenRow { id: number; user_id: number; name: string; created_ms: number; last_used_ms: number | null }
interface CredentialRow {
  id: number; username: string; kind: 'device' | 'service'; site: string | null; device: string | null; name: string | null;
  password_hash: string; created_ms: number; rotated_ms: number | null; revoked_ms: number | null; change_seq: number;
}

function toRecord(r: UserRow): UserRecord {
  if (!isRole(r.role)) throw userError('FL_ERR_USER_INVALID', `user ${r.username} has an unknown role in the database`, { context: { username: r.username } });
  return {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role, passwordHash: r.password_hash,
    createdMs: r.created_ms, passwordChangedMs: r.password_changed_ms, lastLoginMs: r.last_login_ms, disabledMs: r.disabled_ms,
  };
}

const tokenInfo = (r: TokenRow): TokenInfo => ({ id: r.id, name: r.name, createdMs: r.created_ms, lastUsedMs: r.last_used_ms });

function credentialFromRow(r: CredentialRow): CredentialRecord {
  return {
    id: r.id, username: r.username, kind: r.kind, site: r.site, device: r.device, name: r.name,
    createdMs: r.created_ms, rotatedMs: r.rotated_ms, revokedMs: r.revoked_ms, passwordHash: r.password_hash, changeSeq: r.change_seq,
  };
}

export class PgAccess {
  readonly users: UsersPort;
  readonly sessions: SessionsPort;
  readonly tokens: TokensPort;
  readonly credentials: CredentialsPort;
  private readonly cost: ScryptCost;

  constructor(private readonly pool: pg.Pool, private readonly withTx: WithTx, hashCost: ScryptCost | undefined, policy: SessionPolicy) {
    this.cost = hashCost ?? DEFAULT_COST;
    this.users = this.makeUsers();
    this.sessions = this.makeSessions(policy);
    this.tokens = this.makeTokens();
    this.credentials = this.makeCredentials();
  }

  private async byName(q: Queryable, username: string): Promise<UserRecord | undefined> {
    const { rows } = await q.query<UserRow>('SELECT * FROM users WHERE username = $1', [username.toLowerCase()]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  private async byId(id: number): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  private async mustGet(q: Queryable, username: string): Promise<UserRecord> {
    const user = await this.byName(q, username);
    if (!user) throw userError('FL_ERR_USER_NOT_FOUND', `no user ${username}`, { context: { username }, hint: 'list users with `faultline user list` or GET /api/users' });
    return user;
  }

  private async keepAnAdmin(q: Queryable, user: UserRecord): Promise<void> {
    if (user.role !== 'admin' || user.disabledMs !== null) return;
    const { rows } = await q.query<{ n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_ms IS NULL");
    if ((rows[0]?.n ?? 0) <= 1) {
      throw userError('FL_ERR_USER_LAST_ADMIN', `${user.username} is the last enabled admin`, { context: { username: user.username }, hint: 'make another user admin first' });
    }
  }

  private async lockUsers(tx: Queryable): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_USERS]);
  }

  private makeUsers(): UsersPort {
    const self = this;
    const pool = this.pool;
    return {
      byName: (username) => self.byName(pool, username),
      byId: (id) => self.byId(id),
      list: async () => (await pool.query<UserRow>('SELECT * FROM users ORDER BY username COLLATE "C"')).rows.map(toRecord),
      count: async () => (await pool.query<{ n: number }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0,
      async page(q) {
        const params: unknown[] = [];
        const sql = userPageSql(q, (v) => { params.push(v); return `$${params.length}`; }, (e) => `${e} COLLATE "C"`);
        const [page, count] = await Promise.all([pool.query<UserRow>(sql, params), pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users')]);
        const items = page.rows.slice(0, q.limit).map(toRecord);
        return { items, total: count.rows[0]?.n ?? 0, next: nextPosition(items, page.rows.length > q.limit, userPosition) };
      },
      async create(u: NewUser, nowMs: number) {
        const username = normalizeUsername(u.username);
        checkPassword(u.password);
        if (!isRole(u.role)) throw userError('FL_ERR_USER_INVALID', `unknown role "${String(u.role)}"`, { hint: 'use viewer, operator, engineer or admin' });
        const exists = (): never => { throw userError('FL_ERR_USER_EXISTS', `user ${username} already exists`, { context: { username } }); };
        if (await self.byName(pool, username)) exists();
        const hash = await hashPassword(u.password, self.cost);
        const { rowCount } = await pool.query(`INSERT INTO users (username, display_name, role, password_hash, created_ms, password_changed_ms)
          VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (username) DO NOTHING`, [username, u.displayName?.trim() || username, u.role, hash, nowMs]);
        if (rowCount !== 1) exists();
        return self.mustGet(pool, username);
      },
      async update(username: string, changes: UserChanges, nowMs: number) {
        const user = await self.mustGet(pool, username);
        if (changes.role !== undefined && !isRole(changes.role)) throw userError('FL_ERR_USER_INVALID', `unknown role "${String(changes.role)}"`);
        const losesAdmin = (changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true;
        if (losesAdmin) await self.keepAnAdmin(pool, user);
        let hash: string | undefined;
        if (changes.password !== undefined) {
          checkPassword(changes.password);
          hash = await hashPassword(changes.password, self.cost);
        }
        await self.withTx(async (tx) => {
          await self.lockUsers(tx);
          const current = await self.mustGet(tx, user.username);
          if (losesAdmin) await self.keepAnAdmin(tx, current);
          if (changes.role !== undefined) await tx.query('UPDATE users SET role = $1 WHERE id = $2', [changes.role, user.id]);
          if (changes.displayName !== undefined) await tx.query('UPDATE users SET display_name = $1 WHERE id = $2', [changes.displayName.trim() || user.username, user.id]);
          if (hash !== undefined) await tx.query('UPDATE users SET password_hash = $1, password_changed_ms = $2 WHERE id = $3', [hash, nowMs, user.id]);
          if (changes.disabled !== undefined) {
            await tx.query('UPDATE users SET disabled_ms = $1 WHERE id = $2', [changes.disabled ? (current.disabledMs ?? nowMs) : null, user.id]);
          }
          if (hash !== undefined || changes.disabled === true) await tx.query('DELETE FROM sessions WHERE user_id = $1', [user.id]);
        });
        return self.mustGet(pool, user.username);
      },
      async remove(username: string) {
        await self.withTx(async (tx) => {
          await self.lockUsers(tx);
          const user = await self.mustGet(tx, username);
          await self.keepAnAdmin(tx, user);
          await tx.query('DELETE FROM sessions WHERE user_id = $1', [user.id]);
          await tx.query('DELETE FROM api_tokens WHERE user_id = $1', [user.id]);
          await tx.query('DELETE FROM users WHERE id = $1', [user.id]);
        });
      },
      async verifyLogin(username: string, password: string) {
        const user = USERNAME_PATTERN.test(username) ? await self.byName(pool, username) : undefined;
        if (!user) {
          await verifyAgainstNothing(password);
          return undefined;
        }
        const ok = await verifyPassword(password, user.passwordHash);
        return ok && user.disabledMs === null ? user : undefined;
      },
      async recordLogin(userId: number, nowMs: number) {
        await pool.query('UPDATE users SET last_login_ms = $1 WHERE id = $2', [nowMs, userId]);
      },
      mustGet: (username) => self.mustGet(pool, username),
    };
  }

  private makeSessions(policy: SessionPolicy): SessionsPort {
    const self = this;
    const pool = this.pool;
    const row = async (sessionId: string): Promise<SessionRow | undefined> =>
      (await pool.query<SessionRow>('SELECT * FROM sessions WHERE id_hash = $1', [secretHash(sessionId)])).rows[0];
    return {
      policy,
      async create(userId: number, nowMs: number): Promise<IssuedSession> {
        const sessionId = newSecret();
        await pool.query('INSERT INTO sessions (id_hash, user_id, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)', [secretHash(sessionId), userId, nowMs]);
        return { sessionId, csrfToken: csrfTokenFor(sessionId), endsAtMs: sessionEndsAt({ createdMs: nowMs, lastSeenMs: nowMs }, policy) };
      },
      async resolve(sessionId: string, nowMs: number): Promise<ActiveSession | undefined> {
        const r = await row(sessionId);
        if (!r) return undefined;
        const times = { createdMs: r.created_ms, lastSeenMs: r.last_seen_ms };
        if (sessionExpired(times, nowMs, policy)) {
          await pool.query('DELETE FROM sessions WHERE id_hash = $1', [r.id_hash]);
          return undefined;
        }
        const user = await self.byId(r.user_id);
        if (!user || user.disabledMs !== null) return undefined;
        if (sessionNeedsTouch(times, nowMs, policy)) {
          await pool.query('UPDATE sessions SET last_seen_ms = GREATEST(last_seen_ms, $1) WHERE id_hash = $2', [nowMs, r.id_hash]);
          times.lastSeenMs = nowMs;
        }
        return { user, csrfToken: csrfTokenFor(sessionId), endsAtMs: sessionEndsAt(times, policy) };
      },
      async isLive(sessionId: string, nowMs: number) {
        const r = await row(sessionId);
        if (!r || sessionExpired({ createdMs: r.created_ms, lastSeenMs: r.last_seen_ms }, nowMs, policy)) return false;
        const user = await self.byId(r.user_id);
        return user !== undefined && user.disabledMs === null;
      },
      async remove(sessionId: string) {
        await pool.query('DELETE FROM sessions WHERE id_hash = $1', [secretHash(sessionId)]);
      },
      removeForUser: async (userId: number) => (await pool.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount ?? 0,
      countForUser: async (userId: number) => (await pool.query<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [userId])).rows[0]?.n ?? 0,
      prune: async (nowMs: number) => (await pool.query('DELETE FROM sessions WHERE last_seen_ms <= $1 OR created_ms <= $2',
        [nowMs - policy.idleMs, nowMs - policy.absoluteMs])).rowCount ?? 0,
    };
  }

  private makeTokens(): TokensPort {
    const self = this;
    const pool = this.pool;
    return {
      async create(userId: number, name: string, nowMs: number) {
        const clean = name.trim();
        if (clean === '' || clean.length > 80) throw userError('FL_ERR_USER_INVALID', 'a token name must have 1-80 characters', { hint: 'name it for what uses it, e.g. "grafana"' });
        const token = newSecret(TOKEN_PREFIX);
        const { rows } = await pool.query<{ id: number }>('INSERT INTO api_tokens (user_id, name, token_hash, created_ms) VALUES ($1, $2, $3, $4) RETURNING id',
          [userId, clean, secretHash(token), nowMs]);
        return { token, info: { id: rows[0]?.id ?? 0, name: clean, createdMs: nowMs, lastUsedMs: null } };
      },
      list: async (userId: number) => (await pool.query<TokenRow>('SELECT id, user_id, name, created_ms, last_used_ms FROM api_tokens WHERE user_id = $1 ORDER BY id', [userId])).rows.map(tokenInfo),
      async revoke(userId: number, tokenId: number) {
        const { rowCount } = await pool.query('DELETE FROM api_tokens WHERE id = $1 AND user_id = $2', [tokenId, userId]);
        if (rowCount === 0) throw userError('FL_ERR_TOKEN_NOT_FOUND', `no API token ${tokenId} for this user`, { context: { tokenId } });
      },
      async revokeAll(userId: number) {
        const { rows } = await pool.query<TokenRow>('DELETE FROM api_tokens WHERE user_id = $1 RETURNING id, user_id, name, created_ms, last_used_ms', [userId]);
        return rows.map(tokenInfo).sort((a, b) => a.id - b.id);
      },
      async resolve(token: string, nowMs: number): Promise<ActiveToken | undefined> {
        if (!token.startsWith(TOKEN_PREFIX)) return undefined;
        const { rows } = await pool.query<TokenRow>('SELECT id, user_id, name, created_ms, last_used_ms FROM api_tokens WHERE token_hash = $1', [secretHash(token)]);
        const row = rows[0];
        if (!row) return undefined;
        const user = await self.byId(row.user_id);
        if (!user || user.disabledMs !== null) return undefined;
        if (row.last_used_ms === null || nowMs - row.last_used_ms >= TOUCH_EVERY_MS) {
          await pool.query('UPDATE api_tokens SET last_used_ms = $1 WHERE id = $2', [nowMs, row.id]);
          row.last_used_ms = nowMs;
        }
        return { user, token: tokenInfo(row) };
      },
    };
  }

  private makeCredentials(): CredentialsPort {
    const self = this;
    const pool = this.pool;
    // The change counter: the highest change_seq plus one, serialized by a lock on the table's
    // change counter (a transaction-level advisory lock), so two collectors never reuse a number.
    const nextSeq = 'SELECT coalesce(max(change_seq), 0) + 1 FROM mqtt_credentials';
    const lockChanges = (tx: Queryable): Promise<unknown> => tx.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_CREDENTIAL_CHANGES]);
    const byUsername = async (q: Queryable, username: string): Promise<CredentialRow | undefined> =>
      (await q.query<CredentialRow>('SELECT * FROM mqtt_credentials WHERE username = $1', [username])).rows[0];
    return {
      async add(identity: CredentialIdentity, nowMs: number, opts: { replace?: boolean } = {}): Promise<IssuedCredential> {
        const username = usernameOf(identity);
        const password = generatePassword();
        // Device secrets are long random strings: a fast keyed hash is enough (people's passwords stay scrypt).
        const hash = hashDeviceSecret(password);
        return self.withTx(async (tx) => {
          await lockChanges(tx);
          const existing = await byUsername(tx, username);
          if (existing && existing.revoked_ms === null && !opts.replace) {
            throw new FaultlineError('FL_ERR_SECURITY_CREDENTIAL_EXISTS', `${username} already has a credential`, {
              context: { username }, hint: 'pass --replace to issue a new password (the old one stops working), or revoke it first',
            });
          }
          if (existing) {
            await tx.query(`UPDATE mqtt_credentials SET password_hash = $1, rotated_ms = $2, revoked_ms = NULL, change_seq = (${nextSeq}) WHERE id = $3`, [hash, nowMs, existing.id]);
            return { username, password, replaced: existing.revoked_ms === null };
          }
          await tx.query(`INSERT INTO mqtt_credentials (username, kind, site, device, name, password_hash, created_ms, change_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, (${nextSeq}))`, [username, identity.kind, identity.kind === 'device' ? identity.site : null,
            identity.kind === 'device' ? identity.device : null, identity.kind === 'service' ? identity.name : null, hash, nowMs]);
          return { username, password, replaced: false };
        });
      },
      revoke: (identity: CredentialIdentity, nowMs: number) => self.withTx(async (tx) => {
        await lockChanges(tx);
        const { rowCount } = await tx.query(`UPDATE mqtt_credentials SET revoked_ms = $1, change_seq = (${nextSeq}) WHERE username = $2 AND revoked_ms IS NULL`,
          [nowMs, usernameOf(identity)]);
        return rowCount === 1;
      }),
      async find(username: string) {
        const r = await byUsername(pool, username);
        return r ? credentialFromRow(r) : undefined;
      },
      list: async (): Promise<CredentialInfo[]> => (await pool.query<CredentialRow>('SELECT * FROM mqtt_credentials ORDER BY kind, site COLLATE "C", device COLLATE "C", name COLLATE "C"'))
        .rows.map((r) => credentialInfo(credentialFromRow(r))),
      anyExists: async () => (await pool.query('SELECT 1 FROM mqtt_credentials LIMIT 1')).rows.length > 0,
      changedSince: async (seq: number) => (await pool.query<CredentialRow>('SELECT * FROM mqtt_credentials WHERE change_seq > $1 ORDER BY change_seq', [seq]))
        .rows.map(credentialFromRow),
      latestChange: async () => (await pool.query<{ seq: number }>('SELECT coalesce(max(change_seq), 0) AS seq FROM mqtt_credentials')).rows[0]?.seq ?? 0,
      // Not a change of the credential (same secret, faster form): change_seq stays, sessions stay up.
      rehash: async (c, fastHash) => ((await pool.query('UPDATE mqtt_credentials SET password_hash = $1 WHERE id = $2 AND password_hash = $3', [fastHash, c.id, c.passwordHash])).rowCount ?? 0) === 1,
    };
  }

  async setDeviceKey(master: Buffer, site: string, device: string, writeKey: string, nowMs: number): Promise<void> {
    const sealed = sealWriteKey(master, deviceUsername(site, device), writeKey);
    await this.pool.query(`INSERT INTO device_write_keys (site, device, sealed_key, created_ms) VALUES ($1, $2, $3, $4)
      ON CONFLICT (site, device) DO UPDATE SET sealed_key = excluded.sealed_key, rotated_ms = $4`, [site, device, sealed, nowMs]);
  }

  async getDeviceKey(master: Buffer, site: string, device: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ sealed_key: string }>('SELECT sealed_key FROM device_write_keys WHERE site = $1 AND device = $2', [site, device]);
    return rows[0] ? openWriteKey(master, deviceUsername(site, device), rows[0].sealed_key) : undefined;
  }

  async hasDeviceKey(site: string, device: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM device_write_keys WHERE site = $1 AND device = $2', [site, device])).rows.length > 0;
  }

  async deviceKeyOwners(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ site: string; device: string }>('SELECT site, device FROM device_write_keys');
    return new Set(rows.map((r) => deviceUsername(r.site, r.device)));
  }

  async deleteDeviceKey(site: string, device: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM device_write_keys WHERE site = $1 AND device = $2', [site, device])).rowCount === 1;
  }
}
