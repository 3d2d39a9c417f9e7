/**
 * Users of the HTTP API in the collector's SQLite file: username (lower case), display name, role,
 * scrypt password hash (collector/security/password-hash.ts), disabled flag. Changing a password
 * or disabling a user ends their sessions; the last enabled admin can be neither demoted,
 * disabled nor removed (nobody could manage users any more).
 */
import type { Database, Statement } from 'better-sqlite3';
import { isRole } from '../../core/access/roles.js';
import { DEFAULT_COST, hashPassword, verifyAgainstNothing, verifyPassword, type ScryptCost } from '../../security/password-hash.js';
import { userError } from '../../users/user-errors.js';
import { checkPassword, normalizeUsername, USERNAME_PATTERN } from '../../core/access/user-names.js';
import type { UserRecord, NewUser, UserChanges } from '../port/users.js';
import type { Page, UserPageQuery } from '../port/paging.js';
import { nextPosition } from '../keyset-sql.js';
import { userPageSql, userPosition } from '../list-page-sql.js';

interface UserRow {
  id: number; username: string; display_name: string; role: string; password_hash: string;
  created_ms: number; password_changed_ms: number; last_login_ms: number | null; disabled_ms: number | null;
}

function toRecord(r: UserRow): UserRecord {
  if (!isRole(r.role)) throw userError('FL_ERR_USER_INVALID', `user ${r.username} has an unknown role in the database`, { context: { username: r.username } });
  return {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role, passwordHash: r.password_hash,
    createdMs: r.created_ms, passwordChangedMs: r.password_changed_ms, lastLoginMs: r.last_login_ms, disabledMs: r.disabled_ms,
  };
}

export class UserStore {
  private readonly cost: ScryptCost;

  /** Every authenticated request reads its user: prepared once. */
  private readonly byIdStatement: Statement<[number], UserRow>;

  constructor(private readonly db: Database, opts: { hashCost?: ScryptCost } = {}) {
    this.cost = opts.hashCost ?? DEFAULT_COST;
    this.byIdStatement = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
  }

  byName(username: string): UserRecord | undefined {
    const row = this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?').get(username.toLowerCase());
    return row ? toRecord(row) : undefined;
  }

  byId(id: number): UserRecord | undefined {
    const row = this.byIdStatement.get(id);
    return row ? toRecord(row) : undefined;
  }

  list(): UserRecord[] {
    return this.db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username').all().map(toRecord);
  }

  page(q: UserPageQuery): Page<UserRecord> {
    const params: unknown[] = [];
    const sql = userPageSql(q, (v) => { params.push(v); return '?'; }, (e) => e);
    const rows = this.db.prepare<unknown[], UserRow>(sql).all(...params).map(toRecord);
    const items = rows.slice(0, q.limit);
    return { items, total: this.count(), next: nextPosition(items, rows.length > q.limit, userPosition) };
  }

  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users').get()?.n ?? 0;
  }

  async create(u: NewUser, nowMs: number): Promise<UserRecord> {
    const username = normalizeUsername(u.username);
    checkPassword(u.password);
    if (!isRole(u.role)) throw userError('FL_ERR_USER_INVALID', `unknown role "${String(u.role)}"`, { hint: 'use viewer, operator, engineer or admin' });
    const exists = (): void => {
      if (this.byName(username)) throw userError('FL_ERR_USER_EXISTS', `user ${username} already exists`, { context: { username } });
    };
    exists();
    const hash = await hashPassword(u.password, this.cost);
    // Again after the (asynchronous) hashing: another request may have created the name meanwhile.
    this.db.transaction(() => {
      exists();
      this.db.prepare(`INSERT INTO users (username, display_name, role, password_hash, created_ms, password_changed_ms)
        VALUES (?, ?, ?, ?, ?, ?)`).run(username, u.displayName?.trim() || username, u.role, hash, nowMs, nowMs);
    })();
    return this.mustGet(username);
  }

  /** Applies the changes; a new password or disabling ends the user's sessions. */
  async update(username: string, changes: UserChanges, nowMs: number): Promise<UserRecord> {
    const user = this.mustGet(username);
    if (changes.role !== undefined && !isRole(changes.role)) throw userError('FL_ERR_USER_INVALID', `unknown role "${String(changes.role)}"`);
    const losesAdmin = (changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true;
    if (losesAdmin) this.keepAnAdmin(user);
    let hash: string | undefined;
    if (changes.password !== undefined) {
      checkPassword(changes.password);
      hash = await hashPassword(changes.password, this.cost);
    }
    this.db.transaction(() => {
      // Again inside the transaction: while the password was hashing, another request may have
      // demoted or disabled the other admins.
      if (losesAdmin) this.keepAnAdmin(this.mustGet(user.username));
      if (changes.role !== undefined) this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(changes.role, user.id);
      if (changes.displayName !== undefined) this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(changes.displayName.trim() || user.username, user.id);
      if (hash !== undefined) this.db.prepare('UPDATE users SET password_hash = ?, password_changed_ms = ? WHERE id = ?').run(hash, nowMs, user.id);
      if (changes.disabled !== undefined) {
        this.db.prepare('UPDATE users SET disabled_ms = ? WHERE id = ?').run(changes.disabled ? (user.disabledMs ?? nowMs) : null, user.id);
      }
      if (hash !== undefined || changes.disabled === true) this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    })();
    return this.mustGet(user.username);
  }

  /** Removes the user with their sessions and API tokens. */
  remove(username: string): void {
    const user = this.mustGet(username);
    this.keepAnAdmin(user);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
      this.db.prepare('DELETE FROM api_tokens WHERE user_id = ?').run(user.id);
      this.db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
    })();
  }

  /**
   * The enabled user whose password this is, or undefined. Costs one scrypt whether or not the
   * user exists, so timing does not tell which usernames exist.
   */
  async verifyLogin(username: string, password: string): Promise<UserRecord | undefined> {
    const user = USERNAME_PATTERN.test(username) ? this.byName(username) : undefined;
    if (!user) {
      await verifyAgainstNothing(password);
      return undefined;
    }
    const ok = await verifyPassword(password, user.passwordHash);
    return ok && user.disabledMs === null ? user : undefined;
  }

  recordLogin(userId: number, nowMs: number): void {
    this.db.prepare('UPDATE users SET last_login_ms = ? WHERE id = ?').run(nowMs, userId);
  }

  mustGet(username: string): UserRecord {
    const user = this.byName(username);
    if (!user) throw userError('FL_ERR_USER_NOT_FOUND', `no user ${username}`, { context: { username }, hint: 'list users with `faultline user list` or GET /api/users' });
    return user;
  }

  private keepAnAdmin(user: UserRecord): void {
    if (user.role !== 'admin' || user.disabledMs !== null) return;
    const admins = this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_ms IS NULL").get()?.n ?? 0;
    if (admins <= 1) {
      throw userError('FL_ERR_USER_LAST_ADMIN', `${user.username} is the last enabled admin`, {
        context: { username: user.username }, hint: 'make another user admin first',
      });
    }
  }
}
