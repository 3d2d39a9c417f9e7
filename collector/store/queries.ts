/** Read side of the store: what the HTTP API shows (tickets as desk tickets; legacy rows are lifted). */
import type { Database } from 'better-sqlite3';
import type { Sample } from '../../protocol/values.js';
import type { DeviceState } from '../core/device-registry.js';
import type { DeskTicket } from '../core/desk-ticket.js';
import type { StoredEvent } from '../core/ticket.js';
import type { DeskTickets, DeskTicketFilter } from './desk-tickets.js';
import {
  deviceFromRow, eventFromRow, sampleFromRow, type DeviceRow, type EventRow, type TelemetryRow,
} from './row-mapping.js';

export type TicketFilter = DeskTicketFilter;

/** A ticket looked up by its numeric id or its TS- number. */
export type TicketRef = { id: number } | { number: string };

export interface TelemetryWindow {
  site: string;
  device: string;
  fromMs: number;
  toMs: number;
  limit: number;
}

export interface StoreCounts {
  events: number;
  tickets: number;
}

export interface Queries {
  listTickets(filter: TicketFilter): DeskTicket[];
  getTicket(ref: TicketRef): DeskTicket | undefined;
  ticketEvents(ticketId: number): StoredEvent[];
  telemetry(window: TelemetryWindow): Sample[];
  listDevices(): DeviceState[];
  counts(): StoreCounts;
}

export function createQueries(db: Database, tickets: DeskTickets): Queries {
  const events = db.prepare('SELECT * FROM events WHERE ticket_id = ? ORDER BY time_ms, seq');
  const samples = db.prepare(`SELECT parameter, value, quality, time_ms FROM telemetry
    WHERE site = ? AND device = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms LIMIT ?`);
  const devices = db.prepare('SELECT * FROM devices ORDER BY site, device');
  const countEvents = db.prepare('SELECT count(*) AS n FROM events');
  const countTickets = db.prepare('SELECT count(*) AS n FROM tickets');

  return {
    listTickets: (f) => tickets.list(f),
    getTicket: (ref) => ('id' in ref ? tickets.get(ref.id) : tickets.getByNumber(ref.number)),
    ticketEvents: (ticketId) => (events.all(ticketId) as EventRow[]).map(eventFromRow),
    telemetry: (w) => (samples.all(w.site, w.device, w.fromMs, w.toMs, w.limit) as TelemetryRow[]).map(sampleFromRow),
    listDevices: () => (devices.all() as DeviceRow[]).map(deviceFromRow),
    counts: () => ({
      events: (countEvents.get() as { n: number }).n,
      tickets: (countTickets.get() as { n: number }).n,
    }),
  };
}
