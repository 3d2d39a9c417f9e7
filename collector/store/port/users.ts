/** Users, their login sessions and their API tokens, as the store port offers them (asynchronous). */
import type { Role } from '../../core/access/roles.js';
import type { SessionPolicy } from '../../core/access/session-expiry.js';
import type { Page, UserPageQuery } from './paging.js';

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  createdMs: number;
  passwordChangedMs: number;
  lastLoginMs: number | null;
  disabledMs: number | null;
}

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  role: Role;
  password: string;
}

export interface UserChanges {
  role?: Role | undefined;
  displayName?: string | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
}

export interface IssuedSession {
  /** Goes into the cookie; never logged, never stored. */
  sessionId: string;
  csrfToken: string;
  endsAtMs: number;
}

export interface ActiveSession {
  user: UserRecord;
  csrfToken: string;
  endsAtMs: number;
}

export interface TokenInfo {
  id: number;
  name: string;
  createdMs: number;
  lastUsedMs: number | null;
}

export interface ActiveToken {
  user: UserRecord;
  token: TokenInfo;
}

/** Dashboard and API users. Validation, password hashing and the last-admin rule are applied in the write's transaction. */
export interface UsersPort {
  byName(username: string): Promise<UserRecord | undefined>;
  byId(id: number): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** One page of users in username order (bytes), with the number of users (see port/paging.ts). */
  page(query: UserPageQuery): Promise<Page<UserRecord>>;
  count(): Promise<number>;
  /** FL_ERR_USER_EXISTS when the name is taken, FL_ERR_USER_INVALID for a bad name, role or password. */
  create(u: NewUser, nowMs: number): Promise<UserRecord>;
  /** A new password or disabling ends the user's sessions; FL_ERR_USER_LAST_ADMIN when it would leave no enabled admin. */
  update(username: string, changes: UserChanges, nowMs: number): Promise<UserRecord>;
  /** Removes the user with their sessions and API tokens. */
  remove(username: string): Promise<void>;
  /** The enabled user whose password this is; costs one password check whether or not the user exists. */
  verifyLogin(username: string, password: string): Promise<UserRecord | undefined>;
  recordLogin(userId: number, nowMs: number): Promise<void>;
  /** FL_ERR_USER_NOT_FOUND when there is no such user. */
  mustGet(username: string): Promise<UserRecord>;
}

/** Login sessions: only a hash of the session id is stored. */
export interface SessionsPort {
  readonly policy: SessionPolicy;
  create(userId: number, nowMs: number): Promise<IssuedSession>;
  /** The session's user and CSRF token while it is live (its sliding expiry moved on); undefined otherwise. */
  resolve(sessionId: string, nowMs: number): Promise<ActiveSession | undefined>;
  isLive(sessionId: string, nowMs: number): Promise<boolean>;
  remove(sessionId: string): Promise<void>;
  removeForUser(userId: number): Promise<number>;
  countForUser(userId: number): Promise<number>;
  prune(nowMs: number): Promise<number>;
}

/** API tokens: only a hash of the token is stored; the token itself is shown once. */
export interface TokensPort {
  create(userId: number, name: string, nowMs: number): Promise<{ token: string; info: TokenInfo }>;
  list(userId: number): Promise<TokenInfo[]>;
  revoke(userId: number, tokenId: number): Promise<void>;
  /** Revokes every API token of the user at once; resolves with the tokens revoked (none: an empty list). */
  revokeAll(userId: number): Promise<TokenInfo[]>;
  resolve(token: string, nowMs: number): Promise<ActiveToken | undefined>;
}
