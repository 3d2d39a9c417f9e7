/** Read side of the store: what the HTTP API shows. */
import type { Database } from 'better-sqlite3';
import type { Sample } from '../../protocol/values.js';
import type { DeviceState } from '../core/device-registry.js';
import type { StoredEvent, Ticket, TicketStatus } from '../core/ticket.js';
import {
  deviceFromRow, eventFromRow, sampleFromRow, ticketFromRow,
  type DeviceRow, type EventRow, type TelemetryRow, type TicketRow,
} from './row-mapping.js';

export interface TicketFilter {
  status?: TicketStatus;
  device?: string;
  site?: string;
  limit: number;
}

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
  listTickets(filter: TicketFilter): Ticket[];
  getTicket(ref: TicketRef): Ticket | undefined;
  ticketEvents(ticketId: number): StoredEvent[];
  telemetry(window: TelemetryWindow): Sample[];
  listDevices(): DeviceState[];
  counts(): StoreCounts;
}

export function createQueries(db: Database): Queries {
  const byId = db.prepare('SELECT * FROM tickets WHERE id = ?');
  const byNumber = db.prepare('SELECT * FROM tickets WHERE number = ?');
  const events = db.prepare('SELECT * FROM events WHERE ticket_id = ? ORDER BY time_ms, seq');
  const samples = db.prepare(`SELECT parameter, value, quality, time_ms FROM telemetry
    WHERE site = ? AND device = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms LIMIT ?`);
  const devices = db.prepare('SELECT * FROM devices ORDER BY site, device');
  const countEvents = db.prepare('SELECT count(*) AS n FROM events');
  const countTickets = db.prepare('SELECT count(*) AS n FROM tickets');

  return {
    listTickets(f) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.device !== undefined) { where.push('device = ?'); params.push(f.device); }
      if (f.site !== undefined) { where.push('site = ?'); params.push(f.site); }
      const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY opened_at_ms DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params, f.limit) as TicketRow[]).map(ticketFromRow);
    },
    getTicket(ref) {
      const row = ('id' in ref ? byId.get(ref.id) : byNumber.get(ref.number)) as TicketRow | undefined;
      return row ? ticketFromRow(row) : undefined;
    },
    ticketEvents: (ticketId) => (events.all(ticketId) as EventRow[]).map(eventFromRow),
    telemetry: (w) => (samples.all(w.site, w.device, w.fromMs, w.toMs, w.limit) as TelemetryRow[]).map(sampleFromRow),
    listDevices: () => (devices.all() as DeviceRow[]).map(deviceFromRow),
    counts: () => ({
      events: (countEvents.get() as { n: number }).n,
      tickets: (countTickets.get() as { n: number }).n,
    }),
  };
}
