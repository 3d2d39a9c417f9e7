/** The store port's read side on PostgreSQL: tickets with their comments, events, telemetry, devices, alarms, floods, metrics. */
import type pg from 'pg';
import type { QueryPort } from '../port.js';
import { BUCKET_AGGREGATES, bucketFromRow, latestFromRow, latestWhere, type BucketRow, type LatestRow } from '../latest-rows.js';
import type { FloodEpisode, FloodState } from '../../core/alarms/alarm-flood.js';
import type { Alarm } from '../../core/alarms/alarm-state.js';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import type { DeskTicketFilter, StoredAlarm } from '../port/desk-repo.js';
import { commentFromRow, deskTicketFromRow, type CommentRow, type DeskTicketRow } from '../sqlite/desk-ticket-rows.js';
import { nextPosition } from '../keyset-sql.js';
import type { AlarmPageQuery, EventPageQuery, TicketPageQuery } from '../port/paging.js';
import { eventPageSql, eventPosition } from '../list-page-sql.js';
import { devicePageSql, devicePosition } from '../device-page-sql.js';
import { alarmPageSql, alarmPosition, storedAlarmFromRow, type AlarmRowData } from '../alarm-page-sql.js';
import { ticketPageSql, ticketRowPosition, type TicketPageRow } from '../ticket-page-sql.js';
import { deviceFromRow, eventFromRow, sampleFromRow, type DeviceRow, type EventRow, type TelemetryRow } from '../sqlite/row-mapping.js';


export function createPgQueries(pool: pg.Pool): QueryPort {
async function ticketsWhere(where: string, params: unknown[], order = ''): Promise<DeskTicket[]> {
  const { rows } = await pool.query<DeskTicketRow>(`SELECT * FROM tickets ${where} ${order}`, params);
  if (rows.length === 0) return [];
  const { rows: cs } = await pool.query<CommentRow>('SELECT * FROM ticket_comments WHERE ticket_id = ANY($1::bigint[]) ORDER BY id', [rows.map((r) => r.id)]);
  const byTicket = new Map<number, CommentRow[]>();
  for (const c of cs) {
    const list = byTicket.get(c.ticket_id);
    if (list) list.push(c);
    else byTicket.set(c.ticket_id, [c]);
  }
  return rows.map((r) => deskTicketFromRow(r, (byTicket.get(r.id) ?? []).map(commentFromRow)));
}

async function listTickets(f: DeskTicketFilter): Promise<DeskTicket[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: string | undefined): void => {
    if (value !== undefined) { params.push(value); where.push(`${column} = $${params.length}`); }
  };
  add('status', f.status); add('device', f.device); add('site', f.site); add('assignee', f.assignee); add('team', f.team); add('priority', f.priority);
  params.push(f.limit);
  return ticketsWhere(where.length ? `WHERE ${where.join(' AND ')}` : '', params, `ORDER BY opened_at_ms DESC, id DESC LIMIT $${params.length}`);
}

async function pageTickets(q: TicketPageQuery) {
  const countParams: unknown[] = [];
  const pageParams: unknown[] = [];
  const ph = (params: unknown[]) => (v: unknown): string => { params.push(v); return `$${params.length}`; };
  const sql = ticketPageSql(q, ph(countParams), ph(pageParams), (e) => `${e} COLLATE "C"`);
  const [count, page] = await Promise.all([
    pool.query<{ n: number }>(sql.count.replace('count(*)', 'count(*)::int'), countParams),
    pool.query<TicketPageRow>(sql.ids, pageParams),
  ]);
  const shown = page.rows.slice(0, q.limit);
  const ids = shown.map((r) => Number(r.id));
  const byId = new Map((ids.length ? await ticketsWhere('WHERE id = ANY($1::bigint[])', [ids]) : []).map((t) => [t.id, t]));
  const items = ids.flatMap((id) => byId.get(id) ?? []);
  return { items, total: count.rows[0]?.n ?? 0, next: nextPosition(shown, page.rows.length > q.limit, ticketRowPosition) };
}

async function pageAlarms(q: AlarmPageQuery) {
  const countParams: unknown[] = [];
  const pageParams: unknown[] = [];
  const ph = (params: unknown[]) => (v: unknown): string => { params.push(v); return `$${params.length}`; };
  const sql = alarmPageSql(q, ph(countParams), ph(pageParams), (b) => b);
  const [count, page] = await Promise.all([
    pool.query<{ n: number }>(sql.count.replace('count(*)', 'count(*)::int'), countParams),
    pool.query<AlarmRowData>(sql.rows, pageParams),
  ]);
  const items = page.rows.slice(0, q.limit).map(storedAlarmFromRow);
  return { items, total: count.rows[0]?.n ?? 0, next: nextPosition(items, page.rows.length > q.limit, alarmPosition) };
}

const SELECT_ALARM = `SELECT a.id, a.data, c.chattering FROM alarms a
  LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code`;
const alarmFromRow = (r: { id: number; data: string; chattering: number | null }): StoredAlarm =>
  ({ id: r.id, alarm: JSON.parse(r.data) as Alarm, chattering: r.chattering === 1 });
const episodeFromRow = (r: { site: string; start_ms: number; end_ms: number | null; alarms: number; peak: number }): FloodEpisode =>
  ({ site: r.site, startMs: r.start_ms, endMs: r.end_ms, alarms: r.alarms, peak: r.peak });
async function episodes(site: string | undefined, limit: number): Promise<FloodEpisode[]> {
  const { rows } = site === undefined
    ? await pool.query('SELECT * FROM flood_episodes ORDER BY start_ms DESC LIMIT $1', [limit])
    : await pool.query('SELECT * FROM flood_episodes WHERE site = $1 ORDER BY start_ms DESC LIMIT $2', [site, limit]);
  return rows.map((r) => episodeFromRow(r as { site: string; start_ms: number; end_ms: number | null; alarms: number; peak: number }));
}

async function pageEvents(q: EventPageQuery) {
  const countParams: unknown[] = [];
  const pageParams: unknown[] = [];
  const ph = (params: unknown[]) => (v: unknown): string => { params.push(v); return `$${params.length}`; };
  const sql = eventPageSql(q, ph(countParams), ph(pageParams), (e) => `${e} COLLATE "C"`);
  const [count, page] = await Promise.all([
    pool.query<{ n: number }>(sql.count.replace('count(*)', 'count(*)::int'), countParams),
    pool.query<EventRow>(sql.rows('*'), pageParams),
  ]);
  const items = page.rows.slice(0, q.limit).map(eventFromRow);
  return { items, total: count.rows[0]?.n ?? 0, next: nextPosition(items, page.rows.length > q.limit, eventPosition) };
}

  return {
    listTickets,
    pageTickets,
    pageAlarms,
    pageEvents,
    async pageDevices(q) {
      const params: unknown[] = [];
      const sql = devicePageSql(q, (v) => { params.push(v); return `$${params.length}`; }, (e) => `${e} COLLATE "C"`);
      const [page, count] = await Promise.all([pool.query<DeviceRow>(sql, params), pool.query<{ n: number }>('SELECT count(*)::int AS n FROM devices')]);
      const items = page.rows.slice(0, q.limit).map(deviceFromRow);
      return { items, total: count.rows[0]?.n ?? 0, next: nextPosition(items, page.rows.length > q.limit, devicePosition) };
    },
    getTicket: async (ref) => ('id' in ref
      ? ticketsWhere('WHERE id = $1', [ref.id])
      : ticketsWhere('WHERE number = $1', [ref.number])).then((l) => l[0]),
    async ticketEvents(ticketId) {
      const { rows } = await pool.query<EventRow>('SELECT * FROM events WHERE ticket_id = $1 ORDER BY time_ms, seq', [ticketId]);
      return rows.map(eventFromRow);
    },
    async telemetry(w) {
      const { rows } = await pool.query<TelemetryRow>(`SELECT parameter, value, quality, reason, time_ms FROM telemetry
        WHERE site = $1 AND device = $2 AND time_ms >= $3 AND time_ms <= $4 ORDER BY time_ms LIMIT $5`, [w.site, w.device, w.fromMs, w.toMs, w.limit]);
      return rows.map(sampleFromRow);
    },
    async telemetryBuckets(w) {
      const args: unknown[] = [w.bucketMs, w.site, w.device, w.fromMs, w.toMs];
      if (w.parameters) args.push([...w.parameters]);
      const { rows } = await pool.query<BucketRow>(`SELECT parameter, time_ms / $1 AS b, ${BUCKET_AGGREGATES}
        FROM telemetry WHERE site = $2 AND device = $3 AND time_ms >= $4 AND time_ms <= $5 ${w.parameters ? 'AND parameter = ANY($6)' : ''}
        GROUP BY parameter, b ORDER BY parameter COLLATE "C", b`, args);
      return rows.map((r) => bucketFromRow(r, w.bucketMs));
    },
    async latestValues(f) {
      const where = latestWhere(f, (i) => `$${i}`);
      const { rows } = await pool.query<LatestRow>(`SELECT * FROM telemetry_latest ${where.sql} ORDER BY site COLLATE "C", device COLLATE "C", parameter COLLATE "C"`, where.args);
      return rows.map(latestFromRow);
    },
    async latestValuesOf(devices) {
      if (devices.length === 0) return [];
      const { rows } = await pool.query<LatestRow>(`SELECT * FROM telemetry_latest WHERE (site, device) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY site COLLATE "C", device COLLATE "C", parameter COLLATE "C"`, [devices.map((d) => d.site), devices.map((d) => d.device)]);
      return rows.map(latestFromRow);
    },
    async metrics() {
      const [tickets, alarms, timers, backlog, size] = await Promise.all([
        pool.query<{ priority: string; n: number }>("SELECT priority, COUNT(*)::int AS n FROM tickets WHERE status NOT IN ('resolved', 'closed') GROUP BY priority"),
        pool.query<{ state: string; severity: string; n: number }>("SELECT state, severity, COUNT(*)::int AS n FROM alarms WHERE state <> 'normal' GROUP BY state, severity"),
        pool.query<{ kind: string; n: number }>('SELECT kind, COUNT(*)::int AS n FROM desk_timers GROUP BY kind'),
        pool.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'"),
        pool.query<{ n: string }>('SELECT pg_database_size(current_database())::text AS n'),
      ]);
      return {
        openTicketsByPriority: tickets.rows, openAlarms: alarms.rows, timersPending: timers.rows,
        webhookBacklog: backlog.rows[0]?.n ?? 0, databaseBytes: Number(size.rows[0]?.n ?? 0),
      };
    },
    async listDevices() {
      const { rows } = await pool.query<DeviceRow>('SELECT * FROM devices ORDER BY site COLLATE "C", device COLLATE "C"');
      return rows.map(deviceFromRow);
    },
    async device(site, device) {
      const { rows } = await pool.query<DeviceRow>('SELECT * FROM devices WHERE site = $1 AND device = $2', [site, device]);
      return rows[0] ? deviceFromRow(rows[0]) : undefined;
    },
    async counts() {
      const { rows } = await pool.query<{ events: number; tickets: number }>('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM tickets) AS tickets');
      return { events: rows[0]?.events ?? 0, tickets: rows[0]?.tickets ?? 0 };
    },
    async listAlarms(f) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown): void => {
        if (value !== undefined) { params.push(value); where.push(sql.replace('?', `$${params.length}`)); }
      };
      add('a.site = ?', f.site); add('a.device = ?', f.device); add('a.state = ?', f.state); add('a.severity = ?', f.severity);
      add('a.active = ?', f.active); add('coalesce(c.chattering, false) = ?', f.chattering);
      params.push(f.limit);
      const { rows } = await pool.query<{ id: number; data: string; chattering: number | null }>(
        `${SELECT_ALARM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.changed_at_ms DESC, a.id DESC LIMIT $${params.length}`, params);
      return rows.map(alarmFromRow);
    },
    async alarm(id) {
      const { rows } = await pool.query<{ id: number; data: string; chattering: number | null }>(`${SELECT_ALARM} WHERE a.id = $1`, [id]);
      return rows[0] ? alarmFromRow(rows[0]) : undefined;
    },
    floodEpisodes: episodes,
    async currentFloodEpisode(site) {
      const { rows } = await pool.query<{ data: string }>('SELECT data FROM alarm_floods WHERE site = $1', [site]);
      const running = rows[0] ? (JSON.parse(rows[0].data) as Omit<FloodState, 'recent'>).episode : null;
      return running ?? (await episodes(site, 1))[0];
    },
    async ticketForFault(site, device, code) {
      const list = await ticketsWhere("WHERE site = $1 AND device = $2 AND code = $3 AND status <> 'closed' AND NOT site_parent", [site, device, code], 'ORDER BY id DESC LIMIT 1');
      return list[0];
    },
  };
}
