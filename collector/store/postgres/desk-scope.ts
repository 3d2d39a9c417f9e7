/** Locking and loading a PostgreSQL desk unit's scope, and reserving its ids and ticket counters (see desk-unit.ts for the order). */
import { alarmId, type Alarm } from '../../core/alarms/alarm-state.js';
import type { ChatterState } from '../../core/alarms/alarm-chatter.js';
import type { FloodState } from '../../core/alarms/alarm-flood.js';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import type { DeskScope, StoredAlarm } from '../port/desk-repo.js';
import { commentFromRow, deskTicketFromRow, type CommentRow, type DeskTicketRow } from '../sqlite/desk-ticket-rows.js';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCK_DESK_ALL, ADVISORY_LOCK_SITE_CLASS } from './advisory-locks.js';
import { lockDevices } from './desk-primitives.js';
import type { Queryable } from './pool.js';
import { devKey, faultKey, type AlarmRow, type Loaded } from './desk-unit-state.js';

/** How far back closed-but-resolved tickets are loaded for reopening (the longest reopen window the adapter serves). */
export const RESOLVED_LOAD_WINDOW_MS = 90 * 24 * 3_600_000;

/** How far back a site's unparented open tickets are loaded for site-wide correlation (the longest correlation window served). */
export const SITE_LOAD_WINDOW_MS = 24 * 3_600_000;

export interface UnitOptions {
  scope: DeskScope;
  /** Closed tickets resolved since then are loaded as reopen candidates. */
  resolvedSinceMs: number;
  /** A site's open tickets opened since then (and its open site parents, whenever opened) are loaded for site-wide correlation. */
  siteOpenedSinceMs: number;
  /** UTC days (YYYYMMDD) whose ticket counter the unit takes. */
  days: readonly string[];
  ticketIds: number;
  alarmIds: number;
  /** Take the locks only (no event processor: nothing of the desk is read or written). */
  locksOnly?: boolean;
  /**
   * Leave the open load per assignee unloaded (a full pass over the open tickets): the unit asks
   * for it (NeedMore) when the core routes a new ticket, most batches never do.
   */
  lazyOpenLoad?: boolean;
  /**
   * An ingest unit's faults: the devices' tickets are loaded for these (site, device, code) only,
   * and the sites' open tickets not at all until the core asks for them (NeedMore): a batch loads
   * the tickets its events may touch, not every open ticket of its devices and sites.
   */
  faults?: ReadonlyArray<{ site: string; device: string; code: string }>;
}

export async function reserveIds(tx: Queryable, table: 'tickets' | 'alarms', n: number): Promise<number[]> {
  if (n <= 0) return [];
  const { rows } = await tx.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS id FROM generate_series(1, $1::int)`, [n]);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

async function takeCounters(tx: Queryable, days: readonly string[]): Promise<Map<string, number>> {
  const sorted = [...new Set(days)].sort();
  const out = new Map<string, number>();
  if (sorted.length === 0) return out;
  await tx.query('INSERT INTO ticket_day_counters (day, last) SELECT d, 0 FROM unnest($1::text[]) AS u(d) ON CONFLICT (day) DO NOTHING', [sorted]);
  const { rows } = await tx.query<{ day: string; last: number }>(
    'SELECT day, last FROM ticket_day_counters WHERE day = ANY($1::text[]) ORDER BY day FOR UPDATE', [sorted]);
  for (const r of rows) out.set(r.day, r.last);
  return out;
}

/** Takes more counter days inside an open unit (desk.transaction's NeedMore). */
export async function takeMoreCounters(tx: Queryable, days: readonly string[]): Promise<Map<string, number>> {
  return takeCounters(tx, days);
}

async function lockScope(tx: Queryable, all: boolean, sites: Set<string>, devices: Array<{ site: string; device: string }>): Promise<void> {
  await tx.query(all ? 'SELECT pg_advisory_xact_lock($1, $2)' : 'SELECT pg_advisory_xact_lock_shared($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_DESK_ALL]);
  const siteKeys = [...sites].sort();
  if (siteKeys.length > 0) {
    await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_SITE_CLASS}, hashtext(k)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i`, [siteKeys]);
  }
  await lockDevices(tx, devices);
}

async function loadTickets(tx: Queryable, where: string, params: unknown[]): Promise<DeskTicketRow[]> {
  const { rows } = await tx.query<DeskTicketRow>(`SELECT * FROM tickets WHERE ${where}`, params);
  return rows;
}

/** The sites' open tickets a site-wide correlation looks at (site parents, and those opened since `openedSinceMs`), but those in `except`. */
function siteTicketRows(tx: Queryable, sites: readonly string[], openedSinceMs: number, except: readonly number[]): Promise<DeskTicketRow[]> {
  return loadTickets(tx, `site = ANY($1::text[]) AND status NOT IN ('resolved', 'closed') AND (site_parent OR opened_at_ms >= $2) AND NOT (id = ANY($3::bigint[]))`,
    [sites, openedSinceMs, except]);
}

/** The rows as desk tickets with their comments, and their relatives loaded too: parents, and the children of every site parent. */
async function withRelatives(tx: Queryable, rows: Map<number, DeskTicketRow>, loaded: ReadonlySet<number> = new Set()): Promise<Map<number, DeskTicket>> {
  const addRows = (list: DeskTicketRow[]): void => { for (const r of list) if (!loaded.has(r.id)) rows.set(r.id, r); };
  const parents = [...new Set([...rows.values()].flatMap((r) => (r.parent_id !== null && !rows.has(r.parent_id) && !loaded.has(r.parent_id) ? [r.parent_id] : [])))];
  if (parents.length > 0) addRows(await loadTickets(tx, 'id = ANY($1::bigint[])', [parents]));
  const siteParents = [...rows.values()].filter((r) => r.site_parent === 1).map((r) => r.id);
  if (siteParents.length > 0) addRows(await loadTickets(tx, 'parent_id = ANY($1::bigint[])', [siteParents]));
  const ids = [...rows.keys()];
  const comments = new Map<number, ReturnType<typeof commentFromRow>[]>();
  if (ids.length > 0) {
    const { rows: cs } = await tx.query<CommentRow & { id: number }>('SELECT * FROM ticket_comments WHERE ticket_id = ANY($1::bigint[]) ORDER BY id', [ids]);
    for (const c of cs) {
      const list = comments.get(c.ticket_id);
      if (list) list.push(commentFromRow(c));
      else comments.set(c.ticket_id, [commentFromRow(c)]);
    }
  }
  const tickets = new Map<number, DeskTicket>();
  for (const r of rows.values()) tickets.set(r.id, deskTicketFromRow(r, comments.get(r.id) ?? []));
  return tickets;
}

/** The unit's sites' open tickets (and their relatives) it has not loaded yet, for a unit that left them out (`faults`). */
export async function loadSiteTickets(tx: Queryable, loaded: Loaded): Promise<Map<number, DeskTicket>> {
  const have = new Set(loaded.tickets.keys());
  const rows = new Map<number, DeskTicketRow>();
  for (const r of await siteTicketRows(tx, [...loaded.sites], loaded.siteOpenedSinceMs, [...have])) rows.set(r.id, r);
  return withRelatives(tx, rows, have);
}

/** Open (not resolved or closed) tickets per assignee, desk-wide: what routing balances new tickets by. */
export async function loadOpenLoad(tx: Queryable): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ assignee: string; n: number }>(`SELECT assignee, count(*) AS n FROM tickets
    WHERE status NOT IN ('resolved', 'closed') AND assignee IS NOT NULL GROUP BY assignee`);
  return new Map(rows.map((r) => [r.assignee, r.n]));
}

/** Locks and loads the unit's scope (see the file comment). */
export async function loadUnit(tx: Queryable, opts: UnitOptions): Promise<Loaded> {
  const { scope } = opts;
  const all = scope.all === true;
  const sites = new Set<string>(scope.sites ?? []);
  const deviceList = new Map<string, { site: string; device: string }>();
  const addDevice = (site: string, device: string): void => {
    sites.add(site);
    if (device !== '') deviceList.set(devKey(site, device), { site, device });
  };
  for (const d of scope.devices ?? []) addDevice(d.site, d.device);
  const namedTickets = [...new Set(scope.tickets ?? [])];
  const namedAlarms = [...new Set(scope.alarms ?? [])];
  if (namedTickets.length > 0) {
    const { rows } = await tx.query<{ site: string; device: string }>('SELECT site, device FROM tickets WHERE id = ANY($1::bigint[])', [namedTickets]);
    for (const r of rows) addDevice(r.site, r.device);
  }
  if (namedAlarms.length > 0) {
    const { rows } = await tx.query<{ site: string; device: string }>('SELECT site, device FROM alarms WHERE id = ANY($1::bigint[])', [namedAlarms]);
    for (const r of rows) addDevice(r.site, r.device);
  }
  const devices = [...deviceList.values()];
  await lockScope(tx, all, sites, devices);
  const counters = await takeCounters(tx, opts.days);
  const ticketIds = await reserveIds(tx, 'tickets', opts.ticketIds);
  const alarmIds = await reserveIds(tx, 'alarms', opts.alarmIds);
  if (opts.locksOnly) {
    return {
      all, sites, devices: new Set(deviceList.keys()), absentTickets: new Set(), absentAlarms: new Set(), tickets: new Map(), alarms: new Map(),
      chatter: new Map(), floods: new Map(), floodTimes: new Map(), counters, ticketIds, alarmIds, openLoad: new Map(), resolvedSinceMs: opts.resolvedSinceMs, siteOpenedSinceMs: opts.siteOpenedSinceMs,
    };
  }

  const siteList = [...sites];
  const devSites = devices.map((d) => d.site);
  const devNames = devices.map((d) => d.device);
  const faults = opts.faults ? [...new Map(opts.faults.map((f) => [faultKey(f.site, f.device, f.code), f])).values()] : undefined;
  // Tickets: the devices' candidates, the sites' open ones, the named ones.
  const rows = new Map<number, DeskTicketRow>();
  const addRows = (list: DeskTicketRow[]): void => { for (const r of list) rows.set(r.id, r); };
  // Three index-friendly parts (an OR of them would scan the table).
  if (faults && faults.length > 0) {
    addRows(await loadTickets(tx, `(site, device, code) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[])) AND (status <> 'closed' OR resolved_at_ms >= $4)`,
      [faults.map((f) => f.site), faults.map((f) => f.device), faults.map((f) => f.code), opts.resolvedSinceMs]));
  } else if (devices.length > 0 && !faults) {
    addRows(await loadTickets(tx, `(site, device) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND (status <> 'closed' OR resolved_at_ms >= $3)`,
      [devSites, devNames, opts.resolvedSinceMs]));
  }
  if (siteList.length > 0 && !faults) addRows(await siteTicketRows(tx, siteList, opts.siteOpenedSinceMs, []));
  if (namedTickets.length > 0) addRows(await loadTickets(tx, 'id = ANY($1::bigint[])', [namedTickets]));
  if (all) addRows(await loadTickets(tx, "status <> 'closed' OR resolved_at_ms >= $1", [opts.resolvedSinceMs]));
  const tickets = await withRelatives(tx, rows);

  const openLoad = opts.lazyOpenLoad ? undefined : await loadOpenLoad(tx);

  const alarms = new Map<string, StoredAlarm>();
  const { rows: alarmRows } = await tx.query<AlarmRow>(`SELECT a.id, a.data, c.chattering FROM alarms a
    LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code
    WHERE (a.site, a.device) IN (SELECT * FROM unnest($1::text[], $2::text[]))
    UNION ALL SELECT a.id, a.data, c.chattering FROM alarms a LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code
    WHERE a.id = ANY($3::bigint[])`, [devSites, devNames, namedAlarms]);
  for (const r of alarmRows) {
    const alarm = JSON.parse(r.data) as Alarm;
    alarms.set(alarmId(alarm.key), { id: r.id, alarm, chattering: r.chattering === 1 });
  }

  const chatter = new Map<string, ChatterState>();
  const { rows: chatterRows } = await tx.query<{ alarm: string; data: string }>(
    `SELECT alarm, data FROM alarm_chatter WHERE site = ANY($1::text[]) ${all ? 'OR chattering' : ''}`, [siteList]);
  for (const r of chatterRows) chatter.set(r.alarm, JSON.parse(r.data) as ChatterState);

  const floods = new Map<string, FloodState>();
  const floodTimes = new Map<string, number[]>();
  const { rows: floodRows } = await tx.query<{ site: string; data: string }>(
    `SELECT site, data FROM alarm_floods WHERE site = ANY($1::text[]) ${all ? 'OR in_flood' : ''}`, [siteList]);
  if (floodRows.length > 0) {
    const floodSites = floodRows.map((r) => r.site);
    const { rows: times } = await tx.query<{ site: string; at_ms: number }>(
      'SELECT site, at_ms FROM flood_times WHERE site = ANY($1::text[]) ORDER BY site, at_ms', [floodSites]);
    for (const s of floodSites) floodTimes.set(s, []);
    for (const t of times) floodTimes.get(t.site)?.push(t.at_ms);
    for (const r of floodRows) floods.set(r.site, { ...(JSON.parse(r.data) as Omit<FloodState, 'recent'>), recent: floodTimes.get(r.site) ?? [] });
  }

  return {
    all, sites, devices: new Set(deviceList.keys()),
    absentTickets: new Set(namedTickets.filter((id) => !tickets.has(id))),
    absentAlarms: new Set(namedAlarms.filter((id) => ![...alarms.values()].some((a) => a.id === id))),
    tickets, alarms, chatter, floods, floodTimes, counters, ticketIds, alarmIds, openLoad, resolvedSinceMs: opts.resolvedSinceMs,
    siteOpenedSinceMs: opts.siteOpenedSinceMs, ...(faults ? { faults: new Set(faults.map((f) => faultKey(f.site, f.device, f.code))), siteTickets: false } : {}),
  };
}

