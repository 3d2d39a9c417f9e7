/** On-call overrides set through the API (store/port/on-call-overrides.ts); PostgreSQL: postgres/pg-on-call-overrides.ts, same version. */
import type { Migration } from './migration.js';

export const ON_CALL_OVERRIDES_SQL = `
  CREATE TABLE on_call_overrides (
    id INTEGER PRIMARY KEY,
    team TEXT NOT NULL,
    rotation TEXT NOT NULL,
    member TEXT NOT NULL,
    from_ms INTEGER NOT NULL,
    to_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX on_call_overrides_end ON on_call_overrides(to_ms);
`;

export const ON_CALL_MIGRATIONS: readonly Migration[] = [
  { version: 14, name: 'on-call overrides set through the API', sql: ON_CALL_OVERRIDES_SQL },
  { version: 15, name: 'paging choices users set for themselves', sql: 'CREATE TABLE paging_prefs (member TEXT PRIMARY KEY, prefs TEXT NOT NULL, updated_ms INTEGER NOT NULL);' },
];
