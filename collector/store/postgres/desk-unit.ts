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
import { alarmId } from '../../core/alarms/alarm-state.js';
import type { CandidateTicket } from '../../core/tickets/correlation.js';
import type { DeskTicket, NewDeskTicket } from '../../core/tickets/desk-ticket.js';
import { formatTicketNumber, ticketDay } from '../../core/tickets/ticket-number.js';
import type { TicketStatus } from '../../core/tickets/ticket.js';
import type { DeskRepo, DeskUnit, StoredAlarm } from '../port/desk-repo.js';
import type { Queryable } from './pool.js';
import { Changes, devKey, faultKey, type Loaded } from './desk-unit-state.js';
import { writeUnitChanges, appendAudit } from './unit-writes.js';
import { RESOLVED_LOAD_WINDOW_MS, SITE_LOAD_WINDOW_MS } from './desk-scope.js';
import type { UnitSummary } from './desk-signals.js';
import { TicketIndex } from './ticket-index.js';

/** What a unit lacked: a counter day, more reserved ids, the open load per assignee. */
export interface Need { day?: string; ticketIds?: number; alarmIds?: number; openLoad?: true; siteTickets?: true }

/** Thrown inside desk.transaction (and an ingest unit's fast pass) when the unit needs a counter day or ids it did not take; the store takes them and runs it again. */
export class NeedMore extends Error {
  constructor(readonly need: Need) {
    super('the desk unit needs more than it reserved');
    this.name = 'NeedMore';
  }
}

function outOfScope(what: string): FaultlineError {
  return new FaultlineError('FL_ERR_STORE_SCOPE', `${what} is outside the unit of work's scope`, {
    context: { what }, hint: 'name the devices, sites, tickets or alarms the unit touches in its DeskScope',
  });
}

const openLoadOf = (t: NewDeskTicket): string | null =>
  t.assignee !== null && t.status !== 'resolved' && t.status !== 'closed' ? t.assignee : null;

function candidateOf(t: DeskTicket): CandidateTicket {
  return {
    id: t.id, site: t.site, device: t.device, code: t.code, category: t.category as Category, status: t.status as TicketStatus,
    openedAtMs: t.openedAtMs, resolvedAtMs: t.resolvedAtMs, parentId: t.parentId, siteParent: t.siteParent,
  };
}

/** The in-memory repo over a loaded scope, and the writes it collected. */
export class PgDeskUnit implements DeskUnit {
  readonly repo: DeskRepo;
  private changes = new Changes();
  private readonly index: TicketIndex;
  /** Whether the unit holds the timer its scope claimed (DeskScope.claim); undefined when it claimed none. */
  claimed: boolean | undefined;

  constructor(private readonly loaded: Loaded, private readonly mode: 'retry' | 'fail') {
    this.index = new TicketIndex(loaded.tickets.values());
    this.repo = this.makeRepo();
  }

  /** Adds counter days taken after the unit began (NeedMore). */
  addCounters(more: Map<string, number>): void {
    for (const [day, last] of more) this.loaded.counters.set(day, last);
  }

  /** Adds the open load per assignee, taken after the unit began (NeedMore). */
  addOpenLoad(load: Map<string, number>): void {
    this.loaded.openLoad = load;
  }

  /** Adds the sites' open tickets, loaded after the unit began (NeedMore of a unit loaded for its faults). */
  addSiteTickets(tickets: Map<number, DeskTicket>): void {
    for (const [id, t] of tickets) {
      if (this.loaded.tickets.has(id)) continue;
      this.loaded.tickets.set(id, t);
      this.index.add(t);
    }
    this.loaded.siteTickets = true;
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

  private need(what: Need, message: string): never {
    if (this.mode === 'retry') {
      this.needed = new NeedMore(what);
      throw this.needed;
    }
    throw new FaultlineError('FL_ERR_STORE_SCOPE', message, { context: { ...what }, hint: 'the ingest unit reserves a counter for the days of its events and of its time, and ids per new event' });
  }

  private ticket(id: number): DeskTicket | undefined {
    const t = this.changes.tickets.get(id) ?? this.loaded.tickets.get(id);
    if (t) return t;
    if (this.loaded.absentTickets.has(id)) return undefined;
    throw outOfScope(`ticket ${id}`);
  }

  /** The current state of indexed tickets (an id whose insert was undone is skipped). */
  private current(ids: readonly number[]): DeskTicket[] {
    const out: DeskTicket[] = [];
    for (const id of ids) {
      const t = this.changes.tickets.get(id) ?? this.loaded.tickets.get(id);
      if (t) out.push(t);
    }
    return out;
  }

  private allTickets(): DeskTicket[] {
    const out = new Map(this.loaded.tickets);
    for (const [id, t] of this.changes.tickets) out.set(id, t);
    return [...out.values()];
  }

  private coversDevice(site: string, device: string): boolean {
    return this.loaded.all || this.loaded.devices.has(devKey(site, device));
  }

  /** A fault's tickets are loaded: its device's, unless the unit was loaded for some faults only. */
  private coversFault(site: string, device: string, code: string): boolean {
    return this.coversDevice(site, device) && (this.loaded.faults === undefined || this.loaded.faults.has(faultKey(site, device, code)));
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
          self.index.add(final);
          self.changes.newTickets.set(id, { model: device?.model ?? '', firmware: device?.firmware ?? '' });
          return final;
        },
        save(t) {
          if (!self.changes.tickets.has(t.id) && !loaded.tickets.has(t.id)) throw outOfScope(`ticket ${t.id}`);
          self.changes.tickets.set(t.id, t);
        },
        setSlaDue(id, dueMs) {
          if (!self.changes.tickets.has(id) && !loaded.tickets.has(id)) throw outOfScope(`ticket ${id}`);
          self.changes.slaDue.set(id, dueMs);
        },
        sameFault(site, device, code, resolvedSinceMs) {
          if (!self.coversFault(site, device, code)) throw outOfScope(`tickets of ${site}/${device}`);
          if (resolvedSinceMs < loaded.resolvedSinceMs) {
            throw new FaultlineError('FL_ERR_STORE_SCOPE', 'the reopen window is longer than the PostgreSQL store loads', {
              context: { resolvedSinceMs, loadedSinceMs: loaded.resolvedSinceMs }, hint: `keep lifecycle.reopenWindowHours at most ${RESOLVED_LOAD_WINDOW_MS / 3_600_000}`,
            });
          }
          return self.current(self.index.ofFault(site, device, code))
            .filter((x) => x.status !== 'closed' || (x.resolvedAtMs !== null && x.resolvedAtMs >= resolvedSinceMs)).map(candidateOf);
        },
        siteWide(site, category, openedSinceMs) {
          if (!self.coversSite(site)) throw outOfScope(`tickets of site ${site}`);
          if (loaded.siteTickets === false) return self.need({ siteTickets: true }, `the open tickets of site ${site} were not loaded by the unit`);
          if (openedSinceMs < loaded.siteOpenedSinceMs && !loaded.all) {
            throw new FaultlineError('FL_ERR_STORE_SCOPE', 'the correlation window is longer than the PostgreSQL store loads', {
              context: { openedSinceMs, loadedSinceMs: loaded.siteOpenedSinceMs }, hint: `keep correlation.windowMinutes at most ${SITE_LOAD_WINDOW_MS / 60_000}`,
            });
          }
          return self.current(self.index.ofSite(site)).filter((x) => x.status !== 'resolved' && x.status !== 'closed'
            && (x.siteParent || (x.category === category && x.parentId === null && x.openedAtMs >= openedSinceMs))).map(candidateOf);
        },
        currentForFault(site, device, code) {
          if (!self.coversFault(site, device, code)) throw outOfScope(`tickets of ${site}/${device}`);
          let newest: DeskTicket | undefined;
          for (const x of self.current(self.index.ofFault(site, device, code))) {
            if (x.status !== 'closed' && !x.siteParent && (!newest || x.id > newest.id)) newest = x;
          }
          return newest;
        },
        children: (parentId) => self.allTickets().filter((x) => x.parentId === parentId).sort((a, b) => a.id - b.id),
        openLoad() {
          if (loaded.openLoad === undefined) return self.need({ openLoad: true }, 'the open load per assignee was not loaded by the unit');
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
  /** Writes what the unit changed, a handful of statements however many objects it touched (unit-writes.ts). */
  async write(tx: Queryable): Promise<void> {
    await writeUnitChanges(tx, this.loaded, this.changes);
  }

  /** What the unit touched and its earliest new deadline, for the other collectors (desk-signals.ts). */
  summary(): UnitSummary {
    const c = this.changes;
    let earliestDueMs: number | null = null;
    for (const t of c.timers.values()) if (t.dueMs !== null && (earliestDueMs === null || t.dueMs < earliestDueMs)) earliestDueMs = t.dueMs;
    return { alarms: [...c.alarms.values()].map((a) => a.id), tickets: [...c.tickets.keys()], floodSites: [...c.floods.keys()], earliestDueMs };
  }

  /** Appends the unit's audit records; call last before COMMIT (it holds the chain lock until then). */
  async writeAudit(tx: Queryable): Promise<void> {
    await appendAudit(tx, this.changes.audit);
  }
}

