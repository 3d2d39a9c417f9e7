/** Users, their sessions and their API tokens over one database: what the HTTP API and the CLI use. */
import type { Database } from 'better-sqlite3';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from '../../core/access/session-expiry.js';
import type { ScryptCost } from '../../security/password-hash.js';
import { ApiTokenStore } from './api-token-store.js';
import { SessionStore } from './session-store.js';
import { UserStore } from './user-store.js';

export interface UserDirectoryOptions {
  /** scrypt cost for new password hashes (tests pass a cheap one). */
  hashCost?: ScryptCost;
  sessionPolicy?: SessionPolicy;
}

export class UserDirectory {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;

  constructor(db: Database, opts: UserDirectoryOptions = {}) {
    this.users = new UserStore(db, opts.hashCost ? { hashCost: opts.hashCost } : {});
    this.sessions = new SessionStore(db, this.users, opts.sessionPolicy ?? DEFAULT_SESSION_POLICY);
    this.tokens = new ApiTokenStore(db, this.users);
  }
}
