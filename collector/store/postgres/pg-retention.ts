/** Event retention on PostgreSQL (the rule: port.ts, RetentionPort): one bounded DELETE per call. */
import type { RetentionPort } from '../port.js';
import type { Queryable } from './pool.js';

export function createPgEventRetention(q: Queryable): RetentionPort {
  return {
    pruneEvents: async (receivedBeforeMs, limit) => {
      const { rowCount } = await q.query(`DELETE FROM events WHERE id IN (
        SELECT e.id FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id
        WHERE e.received_ms < $1
          AND (e.ticket_id IS NULL OR (t.closed_at_ms IS NOT NULL
            AND e.id <> (SELECT f.id FROM events f WHERE f.ticket_id = e.ticket_id ORDER BY f.time_ms, f.id LIMIT 1)))
        LIMIT $2)`, [receivedBeforeMs, limit]);
      const deleted = rowCount ?? 0;
      return { deleted, more: deleted === limit };
    },
  };
}
