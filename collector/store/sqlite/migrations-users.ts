/**
 * Schema of people who use the HTTP API (collector/users/): users with a role, dashboard
 * sessions and API tokens. Session ids and tokens are stored only as SHA-256 hashes, passwords
 * only as scrypt hashes. Append only, like every migration.
 *
 * Part of the store's MIGRATIONS list (collector/store/migrations.ts).
 */
import type { Migration } from './migration.js';

export const USERS_MIGRATIONS: readonly Migration[] = [
  {
    version: 5,
    name: 'users, sessions, api tokens',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        -- lower case
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'engineer', 'admin')),
        -- "$scrypt$ln=14,r=8,p=1$<salt base64>$<hash base64>"
        password_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        password_changed_ms INTEGER NOT NULL,
        last_login_ms INTEGER,
        disabled_ms INTEGER
      );

      CREATE TABLE sessions (
        -- hex SHA-256 of the 32 random bytes in the fl_session cookie
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);

      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        -- hex SHA-256 of the token
        token_hash TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        last_used_ms INTEGER
      );
      CREATE INDEX api_tokens_user ON api_tokens(user_id);
    `,
  },
];
