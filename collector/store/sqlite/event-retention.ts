/**
 * Event retention on SQLite (the rule: port.ts, RetentionPort). Events have no index on their
 * arrival time, and one would cost every insert; their rowids grow with arrival, so the pruner
 * walks the table in rowid windows from where its last call stopped, deleting in each window what
 * the rule allows, and stops a pass at the first window whose rows all arrived after the cutoff.
 * Each call is one short transaction, so ingest commits between calls. A pass starts again from
 * the beginning (rows an open ticket kept may be free now).
 */
import type { Database } from 'better-sqlite3';
import type { RetentionPort } from '../port.js';

export function createEventRetention(db: Database): RetentionPort {
  const windowEnd = db.prepare<[number, number], { last: number | null; oldest: number | null }>(
    'SELECT max(r) AS last, min(received_ms) AS oldest FROM (SELECT rowid AS r, received_ms FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?)');
  const prune = db.prepare<[number, number, number]>(`DELETE FROM events WHERE rowid IN (
    SELECT e.rowid FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id
    WHERE e.rowid > ? AND e.rowid <= ? AND e.received_ms < ?
      AND (e.ticket_id IS NULL OR (t.closed_at_ms IS NOT NULL
        AND e.rowid <> (SELECT f.rowid FROM events f WHERE f.ticket_id = e.ticket_id ORDER BY f.time_ms, f.rowid LIMIT 1))))`);
  let cursor = 0;
  return {
    pruneEvents: async (receivedBeforeMs, limit) => {
      const window = windowEnd.get(cursor, limit);
      if (!window || window.last === null || window.oldest === null || window.oldest >= receivedBeforeMs) {
        cursor = 0; // the pass is over
        return { deleted: 0, more: false };
      }
      const deleted = prune.run(cursor, window.last, receivedBeforeMs).changes;
      cursor = window.last;
      return { deleted, more: true };
    },
  };
}
