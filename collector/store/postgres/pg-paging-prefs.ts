/**
 * Users' paging choices on PostgreSQL (the SQLite adapter's paging-prefs-store.ts). Setting them
 * announces it on `faultline_settings` in the same statement, so every other collector re-reads
 * them at once (live-signals.ts).
 */
import type { PagingPrefsPort } from '../port/paging-prefs.js';
import { pagingPrefsFromRow, type PagingPrefsRow } from '../sqlite/paging-prefs-store.js';
import type { Queryable } from './pool.js';
import { SETTINGS_CHANNEL, settingsPayload } from './live-signals.js';

export const PAGING_PREFS_SCHEMA = `
  CREATE TABLE paging_prefs (member TEXT PRIMARY KEY, prefs TEXT NOT NULL, updated_ms BIGINT NOT NULL);
`;

/** `origin`: this collector's, so that it does not re-read what it wrote itself. */
export function createPgPagingPrefs(pool: Queryable, origin: string): PagingPrefsPort {
  return {
    async set(member, prefs, nowMs) {
      const { rows } = await pool.query(`WITH saved AS (INSERT INTO paging_prefs (member, prefs, updated_ms) VALUES ($1, $2, $3)
        ON CONFLICT (member) DO UPDATE SET prefs = excluded.prefs, updated_ms = excluded.updated_ms RETURNING *),
        -- a volatile CTE is never folded away: the notification goes with the row's commit
        announced AS (SELECT pg_notify($4, $5))
        SELECT saved.* FROM saved CROSS JOIN announced`,
      [member, JSON.stringify(prefs), nowMs, SETTINGS_CHANNEL, settingsPayload(origin, 'paging')]);
      return pagingPrefsFromRow(rows[0] as PagingPrefsRow);
    },
    async get(member) {
      const { rows } = await pool.query('SELECT * FROM paging_prefs WHERE member = $1', [member]);
      return rows[0] ? pagingPrefsFromRow(rows[0] as PagingPrefsRow) : undefined;
    },
    async all() {
      const { rows } = await pool.query('SELECT * FROM paging_prefs ORDER BY member');
      return rows.map((r) => pagingPrefsFromRow(r as PagingPrefsRow));
    },
  };
}
