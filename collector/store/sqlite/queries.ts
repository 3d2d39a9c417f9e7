/** Read side of the SQLite store: what the HTTP API shows (tickets as desk tickets, alarms, devices, events, telemetry). */
import type { Database, Statement } from 'better-sqlite3';
import { BUCKET_AGGREGATES, bucketFromRow, latestFromRow, latestWhere, type BucketRow, type LatestRow } from '../latest-rows.js';
import type { QueryPort } from '../port.js';
import { storeMetricsReader } from './metrics-queries.js';
import { sqlitePages } from './page-queries.js';
import { devicePageSql, devicePosition } from '../device-page-sql.js';
import { nextPosition } from '../keyset-sql.js';
import type { DeskAlarms, DeskTickets } from '../port/desk-repo.js';
import {
  deviceFromRow, eventFromRow, sampleFromRow, type DeviceRow, type EventRow, type TelemetryRow,
} from './row-mapping.js';

export function createQueries(db: Database, tickets: DeskTickets, alarms: DeskAlarms): QueryPort {
  const events = db.prepare('SELECT * FROM events WHERE ticket_id = ? ORDER BY time_ms, seq');
  const samples = db.prepare(`SELECT parameter, value, quality, reason, time_ms FROM telemetry
    WHERE site = ? AND device = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms LIMIT ?`);
  const devices = db.prepare('SELECT * FROM devices ORDER BY site, device');
  const oneDevice = db.prepare('SELECT * FROM devices WHERE site = ? AND device = ?');
  const countEvents = db.prepare('SELECT count(*) AS n FROM events');
  const countTickets = db.prepare('SELECT count(*) AS n FROM tickets');
  const countDevices = db.prepare('SELECT count(*) AS n FROM devices');
  const metrics = storeMetricsReader(db);
  const bucketSql = (filter: string): string => `SELECT parameter, time_ms / CAST(? AS INTEGER) AS b, ${BUCKET_AGGREGATES}
    FROM telemetry WHERE site = ? AND device = ? AND time_ms >= ? AND time_ms <= ? ${filter} GROUP BY parameter, b ORDER BY parameter, b`;
  const allBuckets = db.prepare(bucketSql(''));
  const bucketsOf = db.prepare(bucketSql('AND parameter IN (SELECT value FROM json_each(?))'));
  const latestOfDevices = db.prepare(`SELECT * FROM telemetry_latest WHERE (site, device) IN
    (SELECT value ->> 0, value ->> 1 FROM json_each(?)) ORDER BY site, device, parameter`);
  const latestBy = new Map<string, Statement>();
  const latestOf = (where: string): Statement => {
    let st = latestBy.get(where);
    if (!st) {
      st = db.prepare(`SELECT * FROM telemetry_latest ${where} ORDER BY site, device, parameter`);
      latestBy.set(where, st);
    }
    return st;
  };
  const pages = sqlitePages(db, tickets);

  return {
    listTickets: async (f) => tickets.list(f),
    getTicket: async (ref) => ('id' in ref ? tickets.get(ref.id) : tickets.getByNumber(ref.number)),
    ticketEvents: async (ticketId) => (events.all(ticketId) as EventRow[]).map(eventFromRow),
    telemetry: async (w) => (samples.all(w.site, w.device, w.fromMs, w.toMs, w.limit) as TelemetryRow[]).map(sampleFromRow),
    listDevices: async () => (devices.all() as DeviceRow[]).map(deviceFromRow),
    device: async (site, device) => {
      const row = oneDevice.get(site, device) as DeviceRow | undefined;
      return row ? deviceFromRow(row) : undefined;
    },
    counts: async () => ({
      events: (countEvents.get() as { n: number }).n,
      tickets: (countTickets.get() as { n: number }).n,
    }),
    listAlarms: async (f) => alarms.list(f),
    alarm: async (id) => alarms.byId(id),
    floodEpisodes: async (site, limit) => alarms.episodes(site, limit),
    currentFloodEpisode: async (site) => alarms.flood(site)?.episode ?? alarms.episodes(site, 1)[0],
    ticketForFault: async (site, device, code) => tickets.currentForFault(site, device, code),
    metrics: async () => metrics(),
    telemetryBuckets: async (w) => {
      const rows = (w.parameters ? bucketsOf.all(w.bucketMs, w.site, w.device, w.fromMs, w.toMs, JSON.stringify(w.parameters))
        : allBuckets.all(w.bucketMs, w.site, w.device, w.fromMs, w.toMs)) as BucketRow[];
      return rows.map((r) => bucketFromRow(r, w.bucketMs));
    },
    latestValues: async (f) => {
      const where = latestWhere(f, () => '?');
      return (latestOf(where.sql).all(...where.args) as LatestRow[]).map(latestFromRow);
    },
    latestValuesOf: async (devices) => {
      if (devices.length === 0) return [];
      return (latestOfDevices.all(JSON.stringify(devices.map((d) => [d.site, d.device]))) as LatestRow[]).map(latestFromRow);
    },
    pageTickets: async (q) => pages.tickets(q),
    pageAlarms: async (q) => pages.alarms(q),
    pageDevices: async (q) => {
      const params: unknown[] = [];
      const rows = (db.prepare(devicePageSql(q, (v) => { params.push(v); return '?'; }, (e) => e)).all(...params) as DeviceRow[]).map(deviceFromRow);
      const items = rows.slice(0, q.limit);
      return { items, total: (countDevices.get() as { n: number }).n, next: nextPosition(items, rows.length > q.limit, devicePosition) };
    },
    pageEvents: async (q) => pages.events(q),
  };
}
