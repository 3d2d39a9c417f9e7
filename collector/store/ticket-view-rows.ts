/** Saved ticket views as both store adapters read them from their rows. */
import type { SavedTicketView, TicketViewSettings } from './port/ticket-views.js';

export interface TicketViewRow {
  name: string;
  settings: string;
  updated_ms: number | string;
}

export const ticketViewFromRow = (r: TicketViewRow): SavedTicketView => ({
  name: r.name, settings: JSON.parse(r.settings) as TicketViewSettings, updatedMs: Number(r.updated_ms),
});

/** Schema version 11 in both stores: saved views of the ticket table, per user (gone with the user). */
export const TICKET_VIEWS_TABLE = (idType: string): string => `
  CREATE TABLE ticket_views (
    user_id ${idType} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    updated_ms ${idType} NOT NULL,
    PRIMARY KEY (user_id, name)
  );`;
