/**
 * The desk's side of the store port: what one unit of work (an ingest batch, an operator's action,
 * a due timer) reads and writes, synchronously, inside the transaction the port opened for it.
 *
 * Why synchronous inside: the desk's decisions are pure functions that ask for a ticket or an
 * alarm, decide, and ask for the next; an adapter runs them between its BEGIN and COMMIT. SQLite
 * reads through on its one connection. An adapter over a networked database loads the unit's
 * scope (DeskScope: the devices, sites and tickets it names) when the unit begins, under row locks
 * that serialize the device's work across collectors, and writes what changed before it commits.
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Category, FaultEvent, Severity } from '../../../protocol/values.js';
import type { AuditRecord } from '../../core/desk/audit-record.js';
import type { Alarm, AlarmKey, AlarmStateName } from '../../core/alarms/alarm-state.js';
import type { ChatterState } from '../../core/alarms/alarm-chatter.js';
import type { FloodEpisode, FloodState } from '../../core/alarms/alarm-flood.js';
import type { CandidateTicket } from '../../core/tickets/correlation.js';
import type { DeskTicket, NewDeskTicket } from '../../core/tickets/desk-ticket.js';
import type { DeviceState } from '../../core/devices/device-registry.js';
import type { OpenLoad } from '../../core/routing/assignment.js';
import type { DeliveryAttempt, DeliveryStep, WebhookDelivery } from '../../core/notifications/webhook-delivery.js';
import type { Priority, TicketStatus } from '../../core/tickets/ticket.js';

export interface DeskTicketFilter {
  status?: TicketStatus;
  device?: string;
  site?: string;
  assignee?: string;
  team?: string;
  priority?: Priority;
  limit: number;
}

export interface DeskTickets {
  get(id: number): DeskTicket | undefined;
  getByNumber(number: string): DeskTicket | undefined;
  list(filter: DeskTicketFilter): DeskTicket[];
  /**
   * Stores a new ticket, numbered for the UTC day of `dayMs`; returns it with id and number.
   * `device`: the model and firmware the device ran when the ticket was opened (what reports group by).
   * `complete`: given the ticket with its id and number, returns it as it is to be stored (the desk
   * routes and assigns it there), so the row is written once, complete.
   */
  insert(t: NewDeskTicket, dayMs: number, device?: TicketDeviceInfo, complete?: (numbered: DeskTicket) => DeskTicket): DeskTicket;
  /**
   * Writes the ticket back and appends comments not stored yet. With `before` (the ticket as loaded)
   * only the columns that changed are written, which spares the indexes of the others.
   */
  save(t: DeskTicket, before?: DeskTicket): void;
  /** Tickets of one fault key that correlation may continue: not closed, or closed but resolved since `resolvedSinceMs`. */
  sameFault(site: string, device: string, code: string, resolvedSinceMs: number): CandidateTicket[];
  /** Open site parents at the site, and open unparented tickets of `category` opened since `openedSinceMs`. */
  siteWide(site: string, category: Category, openedSinceMs: number): CandidateTicket[];
  /** The newest ticket of a fault key that is not closed (a device's clear belongs to it). */
  currentForFault(site: string, device: string, code: string): DeskTicket | undefined;
  /** The tickets whose site parent is `parentId`. */
  children(parentId: number): DeskTicket[];
  /** Open (not resolved or closed) tickets per assignee. */
  openLoad(): OpenLoad;
  /** Ids of every ticket that is not closed. */
  notClosedIds(): number[];
  /** Calendar ids the SLA clocks of tickets that are not closed run on. */
  calendarsInUse(): string[];
  /**
   * Stores the ticket's next SLA due instant (core/sla/sla-due.ts; null: no clock runs), which the
   * ticket table sorts and filters by ("SLA left"). The desk writes it whenever the ticket changes.
   */
  setSlaDue(id: number, dueMs: number | null): void;
}

/** The device's model and firmware when a ticket was opened; stored with it, never changed. */
export interface TicketDeviceInfo {
  model: string;
  firmware: string;
}

export interface StoredAlarm {
  id: number;
  alarm: Alarm;
  /** From the alarm's chatter state. */
  chattering: boolean;
}

export interface AlarmFilter {
  site?: string;
  device?: string;
  state?: AlarmStateName;
  severity?: Severity;
  active?: boolean;
  chattering?: boolean;
  limit: number;
}

export interface DeskAlarms {
  byKey(key: AlarmKey): StoredAlarm | undefined;
  byId(id: number): StoredAlarm | undefined;
  list(filter: AlarmFilter): StoredAlarm[];
  /** Inserts or updates by key; returns the alarm's id. */
  save(alarm: Alarm): number;
  chatter(alarm: string): ChatterState | undefined;
  saveChatter(state: ChatterState): void;
  flood(site: string): FloodState | undefined;
  saveFlood(state: FloodState): void;
  /** Inserts or updates the episode (by site and start). */
  saveEpisode(episode: FloodEpisode): void;
  episodes(site: string | undefined, limit: number): FloodEpisode[];
  /** Sites in a flood and alarms chattering: the objects whose timers depend on the alarm policies. */
  floodingSites(): string[];
  chatteringAlarms(): string[];
}

export const TIMER_KINDS = ['ticket', 'alarm', 'flood', 'chatter'] as const;

export type TimerKind = (typeof TIMER_KINDS)[number];

export interface DeskTimer {
  kind: TimerKind;
  /** Ticket id, alarm id, site, or chatter alarm "site/device/code". */
  key: string;
  dueMs: number;
}

export interface DeskTimerTable {
  /** Sets the object's deadline; null removes its timer. Inside a transaction the last value set is written before the commit. */
  set(kind: TimerKind, key: string, dueMs: number | null): void;
  /** The earliest timer. */
  next(): DeskTimer | undefined;
  /** Timers due by nowMs, earliest first. */
  due(nowMs: number, limit: number): DeskTimer[];
  get(kind: TimerKind, key: string): DeskTimer | undefined;
}

export interface StoredAuditRecord extends AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  /** A subject id: a ticket number, an alarm "site/device/code", a site. */
  subject?: string;
  limit: number;
}

export interface AuditLog {
  /** Appends to the hash chain (in the order given) when the unit of work commits. */
  append(records: readonly AuditRecord[]): void;
  /** Oldest first, the newest `limit` matching records. */
  list(filter: AuditFilter): StoredAuditRecord[];
}

/** A point of the chain known from outside the database (a signed checkpoint): row `seq` had hash `hash`. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  /** When the anchor was taken (for messages). */
  atMs: number;
}

/** The newest row of the chain: its sequence number and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type ChainCheck =
  | { ok: true; records: number; headHash: string; /** 0 for an empty log. */ headSeq: number }
  | { ok: false; records: number; brokenSeq: number; reason: string; row: StoredAuditRecord | null };

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface StoredDelivery {
  id: number;
  deliveryId: string;
  webhookId: string;
  event: string;
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptMs: number | null;
  lastError: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  webhookId?: string;
  /** Only deliveries older than this id (the next page of a newest-first list). */
  beforeId?: number;
  limit: number;
}

export interface WebhookLog {
  /** Queues a delivery to be sent now; a delivery id already queued is ignored. */
  enqueue(d: WebhookDelivery, nowMs: number): void;
  /** Pending deliveries due by nowMs, oldest due first. */
  due(nowMs: number, limit: number, skip: ReadonlySet<number>): StoredDelivery[];
  /** The earliest next attempt among pending deliveries not in `skip`. */
  nextDueMs(skip: ReadonlySet<number>): number | null;
  /** Appends the attempt and applies the step decided from all attempts. */
  recordAttempt(id: number, attempt: DeliveryAttempt, step: DeliveryStep, nowMs: number): void;
  /** Marks a pending delivery failed without an attempt (e.g. its webhook is no longer configured). */
  giveUp(id: number, reason: string, nowMs: number): void;
  attempts(id: number): DeliveryAttempt[];
  list(filter: DeliveryFilter): StoredDelivery[];
  get(id: number): StoredDelivery | undefined;
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

/**
 * A processor's failure on one event in a fast (not isolated) pass: the batch transaction is rolled
 * back and the batch run again with `isolate` set, where the processor keeps each event's changes in
 * a savepoint of its own (so one failing event cannot fail the others).
 */
export class EventProcessingFailed extends FaultlineError {
  constructor(readonly eventId: string, cause: unknown) {
    super('FL_ERR_DESK_EVENT_FAILED', `processing event ${eventId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, context: { event: eventId } });
    this.name = 'EventProcessingFailed';
  }
}

/** What a newly stored fault event does beyond being stored; runs inside the batch transaction. */
export interface EventProcessor {
  /**
   * `device`: the sender's registry entry as of this message. Returns the ticket the event belongs to
   * (its timeline), or null. With `isolate` false it may throw EventProcessingFailed (the batch is then
   * run again isolated); with `isolate` true it must not fail the batch for one event.
   */
  processEvent(unit: DeskUnit, event: FaultEvent, nowMs: number, device: DeviceState | undefined, isolate: boolean): number | null;
  /** After the batch transaction ended: `committed` false when it was rolled back. */
  afterBatch?(committed: boolean): void;
}

/**
 * The service desk's tables as one unit of work sees them: every call is synchronous and joins the
 * unit's transaction, so the pure core's decisions and their writes commit together or not at all.
 */
export interface DeskRepo {
  tickets: DeskTickets;
  alarms: DeskAlarms;
  timers: DeskTimerTable;
  audit: AuditLog;
  webhooks: WebhookLog;
}

/** One unit of desk work: its repo, and savepoints (a part that may fail without failing the unit). */
export interface DeskUnit {
  readonly repo: DeskRepo;
  /** Runs fn in a savepoint of the unit: when it throws, only its own writes are undone (and it rethrows). */
  savepoint<T>(fn: () => T): T;
  /**
   * Set when the scope asked to claim a timer (DeskScope.claim): true when this unit holds it (still
   * due, and no other collector has it), so it applies the timer's effect; false: leave it alone.
   */
  readonly claimed?: boolean;
}

/**
 * What a unit of work will touch, so that an adapter can load and lock it when the unit begins
 * (SQLite, reading through, needs none of it). `all`: the unit may touch any desk object (config
 * reloads recomputing every deadline).
 */
export interface DeskScope {
  devices?: ReadonlyArray<{ site: string; device: string }>;
  sites?: readonly string[];
  tickets?: readonly number[];
  alarms?: readonly number[];
  all?: true;
  /**
   * Claim this timer for the unit when it is due by `dueBy` (unit.claimed tells): with several
   * collectors on one database exactly one unit holds a due timer (PostgreSQL: FOR UPDATE SKIP LOCKED
   * under the scope's locks), in the transaction that applies its effect and moves its deadline.
   */
  claim?: { kind: TimerKind; key: string; dueBy: number };
}
