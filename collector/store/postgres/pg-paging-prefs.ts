/** Users' paging choices on PostgreSQL (the SQLite adapter's paging-prefs-store.ts). */
import type { PagingPrefsPort } from '../port/paging-prefs.js';
import { pagingPrefsFromRow, type PagingPrefsRow } from '../sqlite/paging-prefs-store.js';
import type { Queryable } from './pool.js';

export const PAGING_PREFS_SCHEMA = `
  CREATE TABLE paging_prefs (member TEXT PRIMARY KEY, prefs TEXT NOT NULL, updated_ms BIGINT NOT NULL);
`;

export function createPgPagingPrefs(pool: Queryable): PagingPrefsPort {
  return {
    async set(member, prefs, nowMs) {
      const { rows } = await pool.query(`INSERT INTO paging_prefs (member, prefs, updated_ms) VALUES ($1, $2, $3)
        ON CONFLICT (member) DO UPDATE SET prefs = excluded.prefs, updated_ms = excluded.updated_ms RETURNING *`, [member, JSON.stringify(prefs), nowMs]);
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
