/** Saved ticket views on SQLite (schema version 11). */
import type { Database } from 'better-sqlite3';
import type { TicketViewsPort } from '../port/ticket-views.js';
import { ticketViewFromRow, type TicketViewRow } from '../ticket-view-rows.js';

export function sqliteTicketViews(db: Database): TicketViewsPort {
  const list = db.prepare<[number], TicketViewRow>('SELECT name, settings, updated_ms FROM ticket_views WHERE user_id = ? ORDER BY name');
  const upsert = db.prepare<[number, string, string, number]>(`INSERT INTO ticket_views (user_id, name, settings, updated_ms) VALUES (?, ?, ?, ?)
    ON CONFLICT(user_id, name) DO UPDATE SET settings = excluded.settings, updated_ms = excluded.updated_ms`);
  const remove = db.prepare<[number, string]>('DELETE FROM ticket_views WHERE user_id = ? AND name = ?');
  return {
    list: async (userId) => list.all(userId).map(ticketViewFromRow),
    save: async (userId, name, settings, nowMs) => {
      upsert.run(userId, name, JSON.stringify(settings), nowMs);
      return { name, settings, updatedMs: nowMs };
    },
    remove: async (userId, name) => remove.run(userId, name).changes > 0,
  };
}
