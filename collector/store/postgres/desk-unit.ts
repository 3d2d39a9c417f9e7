/**
 * One unit of desk work on PostgreSQL. The desk core is synchronous (port/desk-repo.ts), so the
 * unit loads its scope when it begins, under locks that serialize the scope's work across
 * collectors, lets the core read and write an in-memory repo, and writes what changed just before
 * COMMIT:
 *
 * 1. locks, always in one order so two collectors cannot deadlock: the desk-wide lock (shared;
 *    exclusive for a `{ all: true }` unit), the sites (sorted), the devices (sorted, desk-primitives),
 *    the day counters of the days tickets may be numbered on (rows FOR UPDATE, sorted);
 * 2. ids reserved for new tickets and alarms (sequence values; unused ones leave gaps in ids, never
 *    in ticket numbers);
 * 3. state loaded: the scope's devices' tickets that are not closed or were resolved since
 *    `resolvedSinceMs`, the sites' tickets that are not resolved or closed, the named tickets, their
 *    parents and the children of every site parent loaded, with comments; the devices' and named
 *    alarms; the sites' chatter and flood states (with the flood window's times); open load per
 *    assignee. A `{ all: true }` unit also loads every not-closed ticket, flooding site and
 *    chattering alarm.
 *
 * A read outside what was loaded throws FL_ERR_STORE_SCOPE (answering it from memory would be
 * wrong, silently). Inside desk.transaction, a ticket numbered on a day whose counter was not taken,
 * or more new tickets or alarms than ids reserved, throws NeedMore: the store takes what is missing
 * in the same transaction and runs the unit again from a clean state (the core is pure).
 *
 * The audit chain is extended at the end, under a transaction-level advisory lock held to COMMIT,
 * so concurrent units append one after another to the same head.
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Category } from '../../../protocol/values.js';
import { auditHash, GENESIS_HASH } from '../../audit/audit-chain.js';
import { alarmId, alarmState, type Alarm } from '../../core/alarms/alarm-state.js';
import type { ChatterState } from '../../core/alarms/alarm-chatter.js';
import type { FloodEpisode, FloodState } from '../../core/alarms/alarm-flood.js';
import type { AuditRecord } from '../../core/desk/audit-record.js';
import type { WebhookDelivery } from '../../core/notifications/webhook-delivery.js';
import type { CandidateTicket } from '../../core/tickets/correlation.js';
import type { DeskTicket, NewDeskTicket } from '../../core/tickets/desk-ticket.js';
import { formatTicketNumber, ticketDay } from '../../core/tickets/ticket-number.js';
import type { TicketStatus } from '../../core/tickets/ticket.js';
import type {
  DeskRepo, DeskScope, DeskUnit, StoredAlarm, TicketDeviceInfo, TimerKind,
} from '../port/desk-repo.js';
import {
  commentFromRow, commentToRow, DESK_TICKET_COLUMNS, deskTicketFromRow, deskTicketParams, IMMUTABLE_TICKET_COLUMNS, mutableTicketParams,
  type CommentRow, type DeskTicketRow,
} from '../sqlite/desk-ticket-rows.js';
import { floodTimesDiff } from '../sqlite/flood-times.js';
import { ADVISORY_LOCK_AUDIT, ADVISORY_LOCK_CLASS, ADVISORY_LOCK_DESK_ALL, ADVISORY_LOCK_SITE_CLASS } from './advisory-locks.js';
import { lockDevices } from './desk-primitives.js';
import { insertRows } from './pg-rows.js';
import type { Queryable } from './pool.js';

/** How far back closed-but-resolved tickets are loaded for reopening (the longest reopen window the adapter serves). */
export const RESOLVED_LOAD_WINDOW_MS = 90 * 24 * 3_600_000;

/** How far back a site's unparented open tickets are loaded for site-wide correlation (the longest correlation window served). */
export const SITE_LOAD_WINDOW_MS = 24 * 3_600_000;

/** Thrown inside desk.transaction when the unit needs a counter day or ids it did not take; the store takes them and runs it again. */
export class NeedMore extends Error {
  constructor(readonly need: { day?: string; ticketIds?: number; alarmIds?: number }) {
    super('the desk unit needs more than it reserved');
    this.name = 'NeedMore';
  }
}

function outOfScope(what: string): FaultlineError {
  return new FaultlineError('FL_ERR_STORE_SCOPE', `${what} is outside the unit of work's scope`, {
    context: { what }, hint: 'name the devices, sites, tickets or alarms the unit touches in its DeskScope',
  });
}

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
}

interface AlarmRow { id: number; data: string; chattering: number | null }

const devKey = (site: string, device: string): string => `${site}\u0000${device}`;
const openLoadOf = (t: NewDeskTicket): string | null =>
  t.assignee !== null && t.status !== 'resolved' && t.status !== 'closed' ? t.assignee : null;

function candidateOf(t: DeskTicket): CandidateTicket {
  return {
    id: t.id, site: t.site, device: t.device, code: t.code, category: t.category as Category, status: t.status as TicketStatus,
    openedAtMs: t.openedAtMs, resolvedAtMs: t.resolvedAtMs, parentId: t.parentId, siteParent: t.siteParent,
  };
}

/** Everything a unit may change; cloned for a savepoint, restored when it throws. */
class Changes {
  tickets = new Map<number, DeskTicket>();
  newTickets = new Map<number, TicketDeviceInfo>();
  alarms = new Map<string, StoredAlarm>();
  chatter = new Map<string, ChatterState>();
  floods = new Map<string, FloodState>();
  episodes = new Map<string, FloodEpisode>();
  timers = new Map<string, { kind: TimerKind; key: string; dueMs: number | null }>();
  audit: AuditRecord[] = [];
  webhooks: Array<{ d: WebhookDelivery; nowMs: number }> = [];
  counters = new Map<string, number>();
  ticketIdsUsed = 0;
  alarmIdsUsed = 0;

  clone(): Changes {
    const c = new Changes();
    c.tickets = new Map(this.tickets); c.newTickets = new Map(this.newTickets); c.alarms = new Map(this.alarms);
    c.chatter = new Map(this.chatter); c.floods = new Map(this.floods); c.episodes = new Map(this.episodes);
    c.timers = new Map(this.timers); c.audit = [...this.audit]; c.webhooks = [...this.webhooks]; c.counters = new Map(this.counters);
    c.ticketIdsUsed = this.ticketIdsUsed; c.alarmIdsUsed = this.alarmIdsUsed;
    return c;
  }
}

/** What was loaded (never changed by the unit): the reference the writes are diffed against. */
interface Loaded {
  all: boolean;
  sites: Set<string>;
  devices: Set<string>;
  /** Ticket ids asked for by the scope that do not exist. */
  absentTickets: Set<number>;
  absentAlarms: Set<number>;
  tickets: Map<number, DeskTicket>;
  alarms: Map<string, StoredAlarm>;
  chatter: Map<string, ChatterState>;
  floods: Map<string, FloodState>;
  floodTimes: Map<string, number[]>;
  counters: Map<string, number>;
  ticketIds: number[];
  alarmIds: number[];
  openLoad: Map<string, number>;
  resolvedSinceMs: number;
  siteOpenedSinceMs: number;
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
  // Tickets: the devices' candidates, the sites' open ones, the named ones.
  const rows = new Map<number, DeskTicketRow>();
  const addRows = (list: DeskTicketRow[]): void => { for (const r of list) rows.set(r.id, r); };
  // Three index-friendly parts (an OR of them would scan the table).
  if (devices.length > 0) {
    addRows(await loadTickets(tx, `(site, device) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND (status <> 'closed' OR resolved_at_ms >= $3)`,
      [devSites, devNames, opts.resolvedSinceMs]));
  }
  if (siteList.length > 0) {
    addRows(await loadTickets(tx, "site = ANY($1::text[]) AND status NOT IN ('resolved', 'closed') AND (site_parent OR opened_at_ms >= $2)",
      [siteList, opts.siteOpenedSinceMs]));
  }
  if (namedTickets.length > 0) addRows(await loadTickets(tx, 'id = ANY($1::bigint[])', [namedTickets]));
  if (all) addRows(await loadTickets(tx, "status <> 'closed' OR resolved_at_ms >= $1", [opts.resolvedSinceMs]));
  const parents = [...new Set([...rows.values()].flatMap((r) => (r.parent_id !== null && !rows.has(r.parent_id) ? [r.parent_id] : [])))];
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

  const { rows: loadRows } = await tx.query<{ assignee: string; n: number }>(`SELECT assignee, count(*) AS n FROM tickets
    WHERE status NOT IN ('resolved', 'closed') AND assignee IS NOT NULL GROUP BY assignee`);
  const openLoad = new Map(loadRows.map((r) => [r.assignee, r.n]));

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
    siteOpenedSinceMs: opts.siteOpenedSinceMs,
  };
}

/** The in-memory repo over a loaded scope, and the writes it collected. */
export class PgDeskUnit implements DeskUnit {
  readonly repo: DeskRepo;
  private changes = new Changes();

  constructor(private readonly loaded: Loaded, private readonly mode: 'retry' | 'fail') {
    this.repo = this.makeRepo();
  }

  /** Adds counter days taken after the unit began (NeedMore). */
  addCounters(more: Map<string, number>): void {
    for (const [day, last] of more) this.loaded.counters.set(day, last);
  }

  addIds(kind: 'tickets' | 'alarms', ids: number[]): void {
    (kind === 'tickets' ? this.loaded.ticketIds : this.loaded.alarmIds).push(...ids);
  }

  /** Forgets every change (the unit runs again). */
  reset(): void {
    this.changes = new Changes();
    this.needed = undefined;
  }

  /** An arrow property: the core may take it off the unit (`({ repo, savepoint }) => …`). */
  readonly savepoint = <T>(fn: () => T): T => {
    const saved = this.changes.clone();
    try {
      return fn();
    } catch (err) {
      this.changes = saved;
      throw err;
    }
  };

  /** What the last run lacked (kept even if the core caught the NeedMore it threw). */
  needed: NeedMore | undefined;

  private need(what: { day?: string; ticketIds?: number; alarmIds?: number }, message: string): never {
    if (this.mode === 'retry') {
      this.needed = new NeedMore(what);
      throw this.needed;
    }
    throw new FaultlineError('FL_ERR_STORE_SCOPE', message, { context: what, hint: 'the ingest unit reserves a counter for the days of its events and of its time, and ids per new event' });
  }

  private ticket(id: number): DeskTicket | undefined {
    const t = this.changes.tickets.get(id) ?? this.loaded.tickets.get(id);
    if (t) return t;
    if (this.loaded.absentTickets.has(id)) return undefined;
    throw outOfScope(`ticket ${id}`);
  }

  private allTickets(): DeskTicket[] {
    const out = new Map(this.loaded.tickets);
    for (const [id, t] of this.changes.tickets) out.set(id, t);
    return [...out.values()];
  }

  private coversDevice(site: string, device: string): boolean {
    return this.loaded.all || this.loaded.devices.has(devKey(site, device));
  }

  private coversSite(site: string): boolean {
    return this.loaded.all || this.loaded.sites.has(site);
  }

  /** Alarms, chatter and flood states are loaded for the scope's devices and sites only, `{ all: true }` or not. */
  private alarmByKeyId(key: string, site: string, device: string): StoredAlarm | undefined {
    const a = this.changes.alarms.get(key) ?? this.loaded.alarms.get(key);
    if (a) return a;
    if (!this.loaded.devices.has(devKey(site, device))) throw outOfScope(`alarm ${key}`);
    return undefined;
  }

  private makeRepo(): DeskRepo {
    const loaded = this.loaded;
    const self = this;
    const currentAlarms = (): StoredAlarm[] => {
      const out = new Map(loaded.alarms);
      for (const [k, a] of self.changes.alarms) out.set(k, a);
      return [...out.values()];
    };
    return {
      tickets: {
        get: (id) => self.ticket(id),
        getByNumber: (number) => self.allTickets().find((t) => t.number === number),
        list: () => { throw outOfScope('a ticket list'); },
        insert(t, dayMs, device, complete) {
          const day = ticketDay(dayMs);
          const last = self.changes.counters.get(day) ?? loaded.counters.get(day);
          if (last === undefined) return self.need({ day }, `ticket day ${day} was not reserved by the unit`);
          const id = loaded.ticketIds[self.changes.ticketIdsUsed];
          if (id === undefined) return self.need({ ticketIds: Math.max(4, loaded.ticketIds.length) }, 'the unit ran out of reserved ticket ids');
          const numbered: DeskTicket = { ...t, id, number: formatTicketNumber(day, last + 1) };
          const final = complete ? complete(numbered) : numbered;
          if (final.id !== numbered.id || final.number !== numbered.number) {
            throw new FaultlineError('FL_ERR_INTERNAL', `ticket ${numbered.number} changed its id or number before it was stored`);
          }
          self.changes.counters.set(day, last + 1);
          self.changes.ticketIdsUsed++;
          self.changes.tickets.set(id, final);
          self.changes.newTickets.set(id, { model: device?.model ?? '', firmware: device?.firmware ?? '' });
          return final;
        },
        save(t) {
          if (!self.changes.tickets.has(t.id) && !loaded.tickets.has(t.id)) throw outOfScope(`ticket ${t.id}`);
          self.changes.tickets.set(t.id, t);
        },
        sameFault(site, device, code, resolvedSinceMs) {
          if (!self.coversDevice(site, device)) throw outOfScope(`tickets of ${site}/${device}`);
          if (resolvedSinceMs < loaded.resolvedSinceMs) {
            throw new FaultlineError('FL_ERR_STORE_SCOPE', 'the reopen window is longer than the PostgreSQL store loads', {
              context: { resolvedSinceMs, loadedSinceMs: loaded.resolvedSinceMs }, hint: `keep lifecycle.reopenWindowHours at most ${RESOLVED_LOAD_WINDOW_MS / 3_600_000}`,
            });
          }
          return self.allTickets().filter((x) => x.site === site && x.device === device && x.code === code
            && (x.status !== 'closed' || (x.resolvedAtMs !== null && x.resolvedAtMs >= resolvedSinceMs))).map(candidateOf);
        },
        siteWide(site, category, openedSinceMs) {
          if (!self.coversSite(site)) throw outOfScope(`tickets of site ${site}`);
          if (openedSinceMs < loaded.siteOpenedSinceMs && !loaded.all) {
            throw new FaultlineError('FL_ERR_STORE_SCOPE', 'the correlation window is longer than the PostgreSQL store loads', {
              context: { openedSinceMs, loadedSinceMs: loaded.siteOpenedSinceMs }, hint: `keep correlation.windowMinutes at most ${SITE_LOAD_WINDOW_MS / 60_000}`,
            });
          }
          return self.allTickets().filter((x) => x.site === site && x.status !== 'resolved' && x.status !== 'closed'
            && (x.siteParent || (x.category === category && x.parentId === null && x.openedAtMs >= openedSinceMs))).map(candidateOf);
        },
        currentForFault(site, device, code) {
          if (!self.coversDevice(site, device)) throw outOfScope(`tickets of ${site}/${device}`);
          let newest: DeskTicket | undefined;
          for (const x of self.allTickets()) {
            if (x.site === site && x.device === device && x.code === code && x.status !== 'closed' && !x.siteParent && (!newest || x.id > newest.id)) newest = x;
          }
          return newest;
        },
        children: (parentId) => self.allTickets().filter((x) => x.parentId === parentId).sort((a, b) => a.id - b.id),
        openLoad() {
          const load = new Map(loaded.openLoad);
          for (const [id, t] of self.changes.tickets) {
            const before = loaded.tickets.get(id);
            const from = before ? openLoadOf(before) : null;
            const to = openLoadOf(t);
            if (from === to) continue;
            if (from !== null) load.set(from, (load.get(from) ?? 0) - 1);
            if (to !== null) load.set(to, (load.get(to) ?? 0) + 1);
          }
          return Object.fromEntries([...load].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        },
        notClosedIds() {
          if (!loaded.all) throw outOfScope('every ticket');
          return self.allTickets().filter((t) => t.status !== 'closed').map((t) => t.id).sort((a, b) => a - b);
        },
        calendarsInUse() {
          if (!loaded.all) throw outOfScope('every ticket');
          const ids = new Set<string>();
          for (const t of self.allTickets()) {
            if (t.status === 'closed') continue;
            ids.add(t.sla.response.calendarId);
            ids.add(t.sla.resolution.calendarId);
          }
          return [...ids];
        },
      },
      alarms: {
        byKey: (key) => self.alarmByKeyId(alarmId(key), key.site, key.device),
        byId(id) {
          const found = currentAlarms().find((a) => a.id === id);
          if (found) return found;
          if (loaded.absentAlarms.has(id)) return undefined;
          throw outOfScope(`alarm ${id}`);
        },
        list: () => { throw outOfScope('an alarm list'); },
        save(alarm) {
          const key = alarmId(alarm.key);
          const existing = self.alarmByKeyId(key, alarm.key.site, alarm.key.device);
          const id = existing?.id ?? loaded.alarmIds[self.changes.alarmIdsUsed];
          if (id === undefined) return self.need({ alarmIds: Math.max(4, loaded.alarmIds.length) }, 'the unit ran out of reserved alarm ids');
          if (existing === undefined) self.changes.alarmIdsUsed++;
          const chatter = self.changes.chatter.get(key) ?? loaded.chatter.get(key);
          const chattering = chatter ? chatter.detected || chatter.reportedByAgent : existing?.chattering ?? false;
          self.changes.alarms.set(key, { id, alarm, chattering });
          return id;
        },
        chatter(alarm) {
          const s = self.changes.chatter.get(alarm) ?? loaded.chatter.get(alarm);
          if (s) return s;
          if (!loaded.sites.has(alarm.split('/')[0] ?? '')) throw outOfScope(`chatter of ${alarm}`);
          return undefined;
        },
        saveChatter(s) {
          self.changes.chatter.set(s.alarm, s);
          const a = self.changes.alarms.get(s.alarm) ?? loaded.alarms.get(s.alarm);
          const chattering = s.detected || s.reportedByAgent;
          if (a && a.chattering !== chattering) self.changes.alarms.set(s.alarm, { ...a, chattering });
        },
        flood(site) {
          const s = self.changes.floods.get(site) ?? loaded.floods.get(site);
          if (s) return s;
          if (!loaded.sites.has(site)) throw outOfScope(`flood state of ${site}`);
          return undefined;
        },
        saveFlood(s) { self.changes.floods.set(s.site, s); },
        saveEpisode(e) { self.changes.episodes.set(`${e.site}\u0000${e.startMs}`, e); },
        episodes: () => { throw outOfScope('flood episodes'); },
        floodingSites() {
          if (!loaded.all) throw outOfScope('every flood');
          const out = new Map(loaded.floods);
          for (const [k, s] of self.changes.floods) out.set(k, s);
          return [...out.values()].filter((s) => s.episode !== null).map((s) => s.site);
        },
        chatteringAlarms() {
          if (!loaded.all) throw outOfScope('every chattering alarm');
          const out = new Map(loaded.chatter);
          for (const [k, s] of self.changes.chatter) out.set(k, s);
          return [...out.values()].filter((s) => s.detected || s.reportedByAgent).map((s) => s.alarm);
        },
      },
      timers: {
        set(kind, key, dueMs) { self.changes.timers.set(`${kind}\u0000${key}`, { kind, key, dueMs }); },
        next: () => { throw outOfScope('the timer table'); },
        due: () => { throw outOfScope('the timer table'); },
        get: () => { throw outOfScope('the timer table'); },
      },
      audit: {
        append(records) { for (const r of records) self.changes.audit.push(r); },
        list: () => { throw outOfScope('the audit trail'); },
      },
      webhooks: {
        enqueue(d, nowMs) { self.changes.webhooks.push({ d, nowMs }); },
        due: () => { throw outOfScope('the webhook outbox'); },
        nextDueMs: () => { throw outOfScope('the webhook outbox'); },
        recordAttempt: () => { throw outOfScope('the webhook outbox'); },
        giveUp: () => { throw outOfScope('the webhook outbox'); },
        attempts: () => { throw outOfScope('the webhook outbox'); },
        list: () => { throw outOfScope('the webhook outbox'); },
        get: () => { throw outOfScope('the webhook outbox'); },
      },
    };
  }

  /**
   * Writes what changed, inside the unit's transaction (before its COMMIT): one statement per table
   * and kind of change (rows passed as one JSON array and expanded by jsonb_populate_recordset), so
   * a batch costs a handful of round trips however many objects it touched.
   */
  async write(tx: Queryable): Promise<void> {
    const { loaded, changes } = this;
    // New tickets (a parent that is new too is set afterwards: foreign key), then changed ones.
    const fresh: Array<Record<string, unknown>> = [];
    const laterParents: Array<Record<string, unknown>> = [];
    const freshComments: unknown[][] = [];
    for (const id of [...changes.newTickets.keys()].sort((a, b) => a - b)) {
      const t = changes.tickets.get(id);
      const info = changes.newTickets.get(id);
      if (!t || !info) continue;
      const row: Record<string, unknown> = { ...deskTicketParams(t), id: t.id, number: t.number, model: info.model, firmware: info.firmware };
      if (t.parentId !== null && changes.newTickets.has(t.parentId)) {
        laterParents.push({ id, parent_id: t.parentId });
        row.parent_id = null;
      }
      fresh.push(row);
      for (const c of t.comments) freshComments.push(commentValues(id, c));
    }
    if (fresh.length > 0) await tx.query('INSERT INTO tickets SELECT * FROM jsonb_populate_recordset(NULL::tickets, $1::jsonb)', [jsonRows(fresh)]);
    const changed: Array<Record<string, unknown>> = [];
    const comments = freshComments;
    for (const [id, t] of changes.tickets) {
      if (changes.newTickets.has(id)) continue;
      const before = loaded.tickets.get(id);
      if (!before || before === t) continue;
      changed.push({ ...mutableTicketParams(t), id });
      for (const c of t.comments.slice(before.comments.length)) comments.push(commentValues(id, c));
    }
    changed.push(...laterParents.map((r) => {
      const t = changes.tickets.get(r.id as number);
      return t ? { ...mutableTicketParams(t), id: t.id } : r;
    }));
    if (changed.length > 0) {
      await tx.query(`UPDATE tickets AS t SET (${MUTABLE_COLUMNS.join(', ')}) = (${MUTABLE_COLUMNS.map((c) => `r.${c}`).join(', ')})
        FROM jsonb_populate_recordset(NULL::tickets, $1::jsonb) AS r WHERE t.id = r.id`, [jsonRows(changed)]);
    }
    if (comments.length > 0) await insertRows(tx, 'INSERT INTO ticket_comments (ticket_id, at_ms, author_kind, author_id, text, visibility)', 6, comments);
    if (changes.counters.size > 0) {
      await tx.query('UPDATE ticket_day_counters AS c SET last = u.last FROM unnest($1::text[], $2::int[]) AS u(day, last) WHERE c.day = u.day',
        [[...changes.counters.keys()], [...changes.counters.values()]]);
    }

    const newAlarms: Array<Record<string, unknown>> = [];
    const movedAlarms: Array<Record<string, unknown>> = [];
    for (const [key, a] of changes.alarms) {
      const before = loaded.alarms.get(key);
      if (before && before.alarm === a.alarm) continue;
      const row = {
        id: a.id, site: a.alarm.key.site, device: a.alarm.key.device, code: a.alarm.key.code, state: alarmState(a.alarm), active: a.alarm.active,
        severity: a.alarm.severity, changed_at_ms: a.alarm.changedAtMs, data: JSON.stringify(a.alarm),
      };
      (before ? movedAlarms : newAlarms).push(row);
    }
    if (newAlarms.length > 0) await tx.query('INSERT INTO alarms SELECT * FROM jsonb_populate_recordset(NULL::alarms, $1::jsonb)', [jsonRows(newAlarms)]);
    if (movedAlarms.length > 0) {
      await tx.query(`UPDATE alarms AS a SET (state, active, severity, changed_at_ms, data) = (r.state, r.active, r.severity, r.changed_at_ms, r.data)
        FROM jsonb_populate_recordset(NULL::alarms, $1::jsonb) AS r WHERE a.id = r.id`, [jsonRows(movedAlarms)]);
    }
    const chatter = [...changes.chatter].filter(([key, st]) => loaded.chatter.get(key) !== st)
      .map(([, st]) => ({ alarm: st.alarm, site: st.site, chattering: st.detected || st.reportedByAgent, data: JSON.stringify(st) }));
    if (chatter.length > 0) {
      await tx.query(`INSERT INTO alarm_chatter SELECT * FROM jsonb_populate_recordset(NULL::alarm_chatter, $1::jsonb)
        ON CONFLICT (alarm) DO UPDATE SET chattering = excluded.chattering, data = excluded.data`, [jsonRows(chatter)]);
    }
    const floods: Array<Record<string, unknown>> = [];
    const wipeTimes: string[] = [];
    const trimTimes: Array<[string, number]> = [];
    const addTimes: unknown[][] = [];
    for (const [site, st] of changes.floods) {
      if (loaded.floods.get(site) === st) continue;
      const { recent, ...rest } = st;
      floods.push({ site, in_flood: st.episode !== null, data: JSON.stringify(rest) });
      const prev = loaded.floodTimes.get(site);
      const diff = prev ? floodTimesDiff(prev, recent) : null;
      let append: readonly number[] = recent;
      if (!diff) wipeTimes.push(site);
      else {
        const first = recent[0];
        if (diff.dropped > 0) {
          if (first === undefined) wipeTimes.push(site);
          else trimTimes.push([site, first]);
        }
        append = diff.appended;
      }
      for (const at of append) addTimes.push([site, at]);
    }
    if (floods.length > 0) {
      await tx.query(`INSERT INTO alarm_floods SELECT * FROM jsonb_populate_recordset(NULL::alarm_floods, $1::jsonb)
        ON CONFLICT (site) DO UPDATE SET in_flood = excluded.in_flood, data = excluded.data`, [jsonRows(floods)]);
    }
    if (wipeTimes.length > 0) await tx.query('DELETE FROM flood_times WHERE site = ANY($1::text[])', [wipeTimes]);
    if (trimTimes.length > 0) {
      await tx.query('DELETE FROM flood_times AS f USING unnest($1::text[], $2::bigint[]) AS u(site, first) WHERE f.site = u.site AND f.at_ms < u.first',
        [trimTimes.map(([site]) => site), trimTimes.map(([, first]) => first)]);
    }
    if (addTimes.length > 0) await insertRows(tx, 'INSERT INTO flood_times (site, at_ms)', 2, addTimes);
    const episodes = [...changes.episodes.values()].map((e) => ({ site: e.site, start_ms: e.startMs, end_ms: e.endMs, alarms: e.alarms, peak: e.peak }));
    if (episodes.length > 0) {
      await tx.query(`INSERT INTO flood_episodes (site, start_ms, end_ms, alarms, peak)
        SELECT site, start_ms, end_ms, alarms, peak FROM jsonb_populate_recordset(NULL::flood_episodes, $1::jsonb)
        ON CONFLICT (site, start_ms) DO UPDATE SET end_ms = excluded.end_ms, alarms = excluded.alarms, peak = excluded.peak`, [jsonRows(episodes)]);
    }
    const setTimers = [...changes.timers.values()].filter((t) => t.dueMs !== null);
    const dropTimers = [...changes.timers.values()].filter((t) => t.dueMs === null);
    if (dropTimers.length > 0) {
      await tx.query('DELETE FROM desk_timers WHERE (kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
        [dropTimers.map((t) => t.kind), dropTimers.map((t) => t.key)]);
    }
    if (setTimers.length > 0) {
      await tx.query(`INSERT INTO desk_timers (kind, key, due_ms) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
        ON CONFLICT (kind, key) DO UPDATE SET due_ms = excluded.due_ms`, [setTimers.map((t) => t.kind), setTimers.map((t) => t.key), setTimers.map((t) => t.dueMs)]);
    }
    if (changes.webhooks.length > 0) {
      // In the order queued; a delivery id queued twice (or already stored) is kept once.
      await insertRows(tx, 'INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, body, status, attempts, next_attempt_ms, created_ms, updated_ms)', 9,
        changes.webhooks.map(({ d, nowMs }) => [d.payload.deliveryId, d.webhookId, d.payload.event, d.body, 'pending', 0, nowMs, nowMs, nowMs]),
        'ON CONFLICT (delivery_id) DO NOTHING');
    }
  }

  /** Appends the unit's audit records; call last before COMMIT (it holds the chain lock until then). */
  async writeAudit(tx: Queryable): Promise<void> {
    await appendAudit(tx, this.changes.audit);
  }
}

function commentValues(ticketId: number, c: DeskTicket['comments'][number]): unknown[] {
  const r = commentToRow(ticketId, c);
  return [r.ticket_id, r.at_ms, r.author_kind, r.author_id, r.text, r.visibility];
}

/** Columns of `tickets` holding JSON text (written raw into the rows' JSON) and flags (written as true/false). */
const JSON_COLUMNS = new Set(['snapshot', 'log_excerpt', 'labels', 'required_skills', 'priority_override', 'sla', 'resolution', 'satisfaction', 'escalation',
  'data', 'parameters', 'last_status']);
const FLAG_COLUMNS = new Set(['fault_active', 'site_parent', 'online']);
/** The columns a later change may touch (as the SQLite adapter's full update writes them). */
const MUTABLE_COLUMNS: readonly string[] = DESK_TICKET_COLUMNS.filter((c) => !IMMUTABLE_TICKET_COLUMNS.includes(c));

/**
 * Rows as one JSON array for jsonb_populate_recordset: JSON columns carry their text as JSON (not
 * as a string), 0/1 flags become booleans. Column names are the table's.
 */
export function jsonRows(rows: ReadonlyArray<Record<string, unknown>>): string {
  return `[${rows.map((row) => `{${Object.entries(row).map(([k, v]) => {
    let value: string;
    if (v === null || v === undefined) value = 'null';
    else if (JSON_COLUMNS.has(k) && typeof v === 'string') value = v;
    else if (FLAG_COLUMNS.has(k) && typeof v === 'number') value = v === 1 ? 'true' : 'false';
    else value = JSON.stringify(v);
    return `${JSON.stringify(k)}:${value}`;
  }).join(',')}}`).join(',')}]`;
}

/** Extends the hash chain with `records` (in order) under the chain lock, held until the transaction ends. */
export async function appendAudit(tx: Queryable, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_AUDIT]);
  const { rows } = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let prev = rows[0]?.hash ?? GENESIS_HASH;
  const values: unknown[][] = [];
  for (const r of records) {
    const hash = auditHash(prev, r);
    values.push([r.atMs, r.actor.kind, r.actor.id, r.actor.via ?? null, r.subject.kind, r.subject.id, r.action, r.from, r.to, r.reason, JSON.stringify(r.details), prev, hash]);
    prev = hash;
  }
  await insertRows(tx, `INSERT INTO audit_log (at_ms, actor_kind, actor_id, actor_via, subject_kind, subject_id, action, from_state, to_state, reason, details, prev_hash, hash)`, 13, values);
}
