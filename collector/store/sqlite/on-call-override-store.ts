/** On-call overrides in SQLite (store/port/on-call-overrides.ts). */
import type { Database } from 'better-sqlite3';
import type { OnCallOverridesPort, StoredOnCallOverride } from '../port/on-call-overrides.js';

export interface OverrideRow { id: number; team: string; rotation: string; member: string; from_ms: number; to_ms: number; reason: string; created_by: string; created_ms: number }

export const overrideFromRow = (r: OverrideRow): StoredOnCallOverride => ({
  id: Number(r.id), team: r.team, rotation: r.rotation, memberId: r.member, fromMs: Number(r.from_ms), toMs: Number(r.to_ms),
  reason: r.reason, createdBy: r.created_by, createdMs: Number(r.created_ms),
});

export function createOnCallOverrideStore(db: Database): OnCallOverridesPort {
  const insert = db.prepare(`INSERT INTO on_call_overrides (team, rotation, member, from_ms, to_ms, reason, created_by, created_ms)
    VALUES (@team, @rotation, @member, @from, @to, @reason, @by, @now) RETURNING *`);
  const list = db.prepare<[number], OverrideRow>('SELECT * FROM on_call_overrides WHERE to_ms > ? ORDER BY from_ms, id');
  return {
    add: async (o, nowMs) => overrideFromRow(insert.get({
      team: o.team, rotation: o.rotation, member: o.memberId, from: o.fromMs, to: o.toMs, reason: o.reason, by: o.createdBy, now: nowMs,
    }) as OverrideRow),
    list: async (endingAfterMs) => list.all(endingAfterMs).map(overrideFromRow),
  };
}
