/** Users' paging choices in SQLite (store/port/paging-prefs.ts), one JSON row per member. */
import type { Database } from 'better-sqlite3';
import type { PagingPrefs } from '../../core/notifications/paging.js';
import type { PagingPrefsPort, StoredPagingPrefs } from '../port/paging-prefs.js';

export interface PagingPrefsRow { member: string; prefs: string; updated_ms: number }

export const pagingPrefsFromRow = (r: PagingPrefsRow): StoredPagingPrefs => ({ member: r.member, prefs: JSON.parse(r.prefs) as PagingPrefs, updatedMs: Number(r.updated_ms) });

export function createPagingPrefsStore(db: Database): PagingPrefsPort {
  const upsert = db.prepare(`INSERT INTO paging_prefs (member, prefs, updated_ms) VALUES (?, ?, ?)
    ON CONFLICT(member) DO UPDATE SET prefs = excluded.prefs, updated_ms = excluded.updated_ms RETURNING *`);
  const one = db.prepare<[string], PagingPrefsRow>('SELECT * FROM paging_prefs WHERE member = ?');
  const all = db.prepare<[], PagingPrefsRow>('SELECT * FROM paging_prefs ORDER BY member');
  return {
    set: async (member, prefs, nowMs) => pagingPrefsFromRow(upsert.get(member, JSON.stringify(prefs), nowMs) as PagingPrefsRow),
    get: async (member) => { const r = one.get(member); return r ? pagingPrefsFromRow(r) : undefined; },
    all: async () => all.all().map(pagingPrefsFromRow),
  };
}
