/**
 * Failed sign-ins per throttle scope (store/port/login-failures.ts), kept in the database so that
 * every collector sharing it throttles alike. Append only. Part of the store's MIGRATIONS list; the
 * PostgreSQL adapter's migration of the same version creates the same table (postgres/migrations.ts).
 */
import type { Migration } from './migration.js';

export const LOGIN_FAILURES_SQL = `
  CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    -- 'pair' (username + address), 'address', 'account'
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  );
  CREATE INDEX login_failures_key ON login_failures(scope, key, at_ms);
  CREATE INDEX login_failures_time ON login_failures(at_ms);
`;

export const LOGIN_MIGRATIONS: readonly Migration[] = [
  { version: 11, name: 'login failures shared by collectors (login throttle)', sql: LOGIN_FAILURES_SQL },
];
