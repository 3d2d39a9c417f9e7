/**
 * On-call overrides on PostgreSQL (the SQLite adapter's on-call-override-store.ts). Adding one
 * announces it on `faultline_settings` in the same statement, so every other collector re-reads
 * the overrides at once (live-signals.ts).
 */
import type { OnCallOverridesPort } from '../port/on-call-overrides.js';
import { overrideFromRow, type OverrideRow } from '../sqlite/on-call-override-store.js';
import type { Queryable } from './pool.js';
import { SETTINGS_CHANNEL, settingsPayload } from './live-signals.js';

export const ON_CALL_OVERRIDES_SCHEMA = `
  CREATE TABLE on_call_overrides (
    id BIGSERIAL PRIMARY KEY,
    team TEXT NOT NULL,
    rotation TEXT NOT NULL,
    member TEXT NOT NULL,
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL
  );
  CREATE INDEX on_call_overrides_end ON on_call_overrides(to_ms);
`;

/** `origin`: this collector's, so that it does not re-read what it wrote itself. */
export function createPgOnCallOverrides(pool: Queryable, origin: string): OnCallOverridesPort {
  return {
    async add(o, nowMs) {
      const { rows } = await pool.query(`WITH added AS (INSERT INTO on_call_overrides (team, rotation, member, from_ms, to_ms, reason, created_by, created_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *),
        -- a volatile CTE is never folded away: the notification goes with the row's commit
        announced AS (SELECT pg_notify($9, $10))
        SELECT added.* FROM added CROSS JOIN announced`,
      [o.team, o.rotation, o.memberId, o.fromMs, o.toMs, o.reason, o.createdBy, nowMs, SETTINGS_CHANNEL, settingsPayload(origin, 'on-call')]);
      return overrideFromRow(rows[0] as OverrideRow);
    },
    async list(endingAfterMs) {
      const { rows } = await pool.query('SELECT * FROM on_call_overrides WHERE to_ms > $1 ORDER BY from_ms, id', [endingAfterMs]);
      return rows.map((r) => overrideFromRow(r as OverrideRow));
    },
  };
}
