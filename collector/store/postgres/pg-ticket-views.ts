/** Saved ticket views on PostgreSQL (schema version 11). */
import type pg from 'pg';
import type { TicketViewsPort } from '../port/ticket-views.js';
import { ticketViewFromRow, type TicketViewRow } from '../ticket-view-rows.js';

export function pgTicketViews(pool: pg.Pool): TicketViewsPort {
  return {
    async list(userId) {
      const { rows } = await pool.query<TicketViewRow>('SELECT name, settings, updated_ms FROM ticket_views WHERE user_id = $1 ORDER BY name COLLATE "C"', [userId]);
      return rows.map(ticketViewFromRow);
    },
    async save(userId, name, settings, nowMs) {
      await pool.query(`INSERT INTO ticket_views (user_id, name, settings, updated_ms) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id, name) DO UPDATE SET settings = excluded.settings, updated_ms = excluded.updated_ms`, [userId, name, JSON.stringify(settings), nowMs]);
      return { name, settings, updatedMs: nowMs };
    },
    async remove(userId, name) {
      const { rowCount } = await pool.query('DELETE FROM ticket_views WHERE user_id = $1 AND name = $2', [userId, name]);
      return (rowCount ?? 0) > 0;
    },
  };
}
