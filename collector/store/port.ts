/**
 * The store port: every operation the collector needs from its database, declared by intent, and
 * asynchronous, so that a database answering over a network fits behind it as well as the SQLite
 * file does. Adapters: `sqlite/` (the default, embedded). Nothing above this port sees SQL, a
 * driver or a connection; one contract suite (tests/unit/store-contract*.ts) holds every adapter
 * to the same behaviour.
 *
 * Two kinds of operation:
 * - units of work: `ingest.commit` (a batch of device messages with every desk decision they
 *   cause) and `desk.transaction` (an operator's action, a due timer, a config reload). Each is
 *   atomic: it commits as a whole or leaves nothing behind. Inside one, the pure desk core reads and
 *   writes a synchronous DeskRepo (see port/desk-repo.ts for why, and what an adapter does to give it).
 * - single operations (queries, users, sessions, credentials, knowledge base, reports, webhook
 *   outbox), each atomic on its own.
 */
import type { Sample } from '../../protocol/values.js';
import type { DeviceKey, DeviceState } from '../core/devices/device-registry.js';
import type { CommitOutcome, IngestMessage } from '../core/devices/ingest-message.js';
import type { AuditRecord } from '../core/desk/audit-record.js';
import type { DeliveryAttempt, DeliveryStep } from '../core/notifications/webhook-delivery.js';
import type { ReportFilter } from '../core/reports/report-input.js';
import type { ReportPeriod } from '../core/reports/report-period.js';
import type { ReportData } from '../core/reports/report-summary.js';
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import type { StoredEvent } from '../core/tickets/ticket.js';
import type { CredentialsPort, DeviceKeysPort } from './port/credentials.js';
import type {
  AlarmFilter, AuditAnchor, AuditFilter, AuditHead, ChainCheck, DeliveryFilter, DeskScope, DeskTicketFilter, DeskTimer, DeskUnit, EventProcessor,
  StoreCounts, StoredAlarm, StoredAuditRecord, StoredDelivery, TelemetryWindow, TicketRef,
} from './port/desk-repo.js';
import type { FloodEpisode } from '../core/alarms/alarm-flood.js';
import type { KnowledgePort } from './port/knowledge.js';
import type { LoginFailuresPort } from './port/login-failures.js';
import type { AlarmHistoryFilter } from './port/alarm-history.js';
import type { LatestFilter, LatestSample, TelemetryBucket, TelemetryBucketWindow } from './port/latest-values.js';
import type { SessionsPort, TokensPort, UsersPort } from './port/users.js';
import type { AlarmPageQuery, AuditPage, AuditPageQuery, DevicePageQuery, EventPageQuery, Page, TicketPageQuery } from './port/paging.js';
import type { TicketViewsPort } from './port/ticket-views.js';
import type { OnCallOverridesPort } from './port/on-call-overrides.js';
import type { PagingPrefsPort } from './port/paging-prefs.js';

export type * from './port/desk-repo.js';
export type * from './port/users.js';
export type * from './port/credentials.js';
export type * from './port/knowledge.js';
export type * from './port/login-failures.js';
export type * from './port/latest-values.js';
export type * from './port/alarm-history.js';
export type * from './port/paging.js';
export type * from './port/ticket-views.js';
export type * from './port/on-call-overrides.js';
export type * from './port/paging-prefs.js';
export { TIMER_KINDS, DELIVERY_STATUSES, EventProcessingFailed } from './port/desk-repo.js';

/** The ingest unit of work. */
export interface IngestPort {
  /**
   * Stores a batch of device messages in one transaction: new events (a duplicate id is reported,
   * not stored again), device presence, telemetry, and for every new event what the event
   * processor decides. Resolves with one outcome per message, in order, once committed; rejects
   * (with nothing stored) when the store fails.
   */
  commit(messages: readonly IngestMessage[], nowMs: number): Promise<CommitOutcome[]>;
  /** What a new event does beyond being stored (the service desk attaches itself here); none: events are only stored. */
  setEventProcessor(processor: EventProcessor | null): void;
}

/** The desk's units of work and its timers. */
export interface DeskPort {
  /** Runs fn as one unit of work: committed when it returns, rolled back (and rethrown) when it throws. */
  transaction<T>(scope: DeskScope, fn: (unit: DeskUnit) => T): Promise<T>;
  /** The earliest desk deadline. */
  nextTimer(): Promise<DeskTimer | undefined>;
  /** Deadlines due by nowMs, earliest first. */
  dueTimers(nowMs: number, limit: number): Promise<DeskTimer[]>;
  /** Calendar ids the SLA clocks of tickets that are not closed run on. */
  calendarsInUse(): Promise<string[]>;
  /** Ids of tickets not closed whose SLA due instant is not stored (rows from before it was kept, or none runs), at most `limit`, by id. */
  ticketsWithoutSlaDue(limit: number): Promise<number[]>;
}

/** The store's own figures for Prometheus /metrics, read at scrape time. */
export interface StoreMetrics {
  openTicketsByPriority: Array<{ priority: string; n: number }>;
  openAlarms: Array<{ state: string; severity: string; n: number }>;
  timersPending: Array<{ kind: string; n: number }>;
  webhookBacklog: number;
  /** What the database takes on disk, in bytes. */
  databaseBytes: number;
}

/** What the HTTP API and the reports read. */
export interface QueryPort {
  listTickets(filter: DeskTicketFilter): Promise<DeskTicket[]>;
  getTicket(ref: TicketRef): Promise<DeskTicket | undefined>;
  ticketEvents(ticketId: number): Promise<StoredEvent[]>;
  telemetry(window: TelemetryWindow): Promise<Sample[]>;
  listDevices(): Promise<DeviceState[]>;
  counts(): Promise<StoreCounts>;
  listAlarms(filter: AlarmFilter): Promise<StoredAlarm[]>;
  alarm(id: number): Promise<StoredAlarm | undefined>;
  floodEpisodes(site: string | undefined, limit: number): Promise<FloodEpisode[]>;
  /** The running flood episode of a site, else its latest one. */
  currentFloodEpisode(site: string): Promise<FloodEpisode | undefined>;
  /** The newest ticket of a fault that is not closed (the one an alarm of that fault shows). */
  ticketForFault(site: string, device: string, code: string): Promise<DeskTicket | undefined>;
  /** Counts over the desk's tables and the database's size, for /metrics. */
  metrics(): Promise<StoreMetrics>;
  /** Last-known values: each matching device's newest sample per parameter, by site, device, parameter. */
  latestValues(filter: LatestFilter): Promise<LatestSample[]>;
  /** Last-known values of these devices (at most a few hundred per call), by site, device, parameter. */
  latestValuesOf(devices: readonly DeviceKey[]): Promise<LatestSample[]>;
  /** A device's telemetry in [fromMs, toMs] as time buckets per parameter, by parameter then time (trends, sparklines). */
  telemetryBuckets(window: TelemetryBucketWindow): Promise<TelemetryBucket[]>;
  /** One page of tickets in a stable keyset order, with the total the filter matches (see port/paging.ts). */
  pageTickets(query: TicketPageQuery): Promise<Page<DeskTicket>>;
  /** One page of alarms, newest change first, with the total the filter matches. */
  pageAlarms(query: AlarmPageQuery): Promise<Page<StoredAlarm>>;
  /** One page of the device registry in (site, device) order, with the number of devices. */
  pageDevices(query: DevicePageQuery): Promise<Page<DeviceState>>;
  /** One page of stored fault events, newest received first, with the total the filter matches. */
  pageEvents(query: EventPageQuery): Promise<Page<StoredEvent>>;
  /** One device of the registry, undefined when it never reported (one row: not the whole registry). */
  device(site: string, device: string): Promise<DeviceState | undefined>;
}

/** The tamper-evident audit trail (a hash chain). */
export interface AuditPort {
  /** Appends records that are not desk changes (e.g. engineers' device requests), in one transaction. */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Oldest first, the newest `limit` matching records. */
  list(filter: AuditFilter): Promise<StoredAuditRecord[]>;
  /** One page of the newest records before a sequence number, with the total that match (see port/paging.ts). */
  page(query: AuditPageQuery): Promise<AuditPage<StoredAuditRecord>>;
  /**
   * Walks the whole chain; with anchors (signed checkpoints from outside the database), also fails
   * when an anchored row's hash differs or rows up to an anchor are missing (the end was cut off).
   */
  verify(anchors?: readonly AuditAnchor[]): Promise<ChainCheck>;
  /** The newest row's sequence number and hash (what a checkpoint anchors); undefined for an empty log. */
  head(): Promise<AuditHead | undefined>;
  /** Alarm transitions matching the filter, newest first (see port/alarm-history.ts). */
  alarmHistory(filter: AlarmHistoryFilter): Promise<StoredAuditRecord[]>;
}

/** The webhook outbox: deliveries are queued by desk units of work and sent by the collector that claims them. */
export interface WebhookOutboxPort {
  /** Pending deliveries due by nowMs, oldest due first, not in `skip`. */
  due(nowMs: number, limit: number, skip: ReadonlySet<number>): Promise<StoredDelivery[]>;
  nextDueMs(skip: ReadonlySet<number>): Promise<number | null>;
  /**
   * Claims the pending deliveries `due` would return for this collector: none is due again for anyone
   * until `leaseUntilMs` (its recordAttempt or giveUp settles it before), and two collectors never claim
   * the same one (PostgreSQL: FOR UPDATE SKIP LOCKED). A collector that dies while sending leaves its
   * claims to be retried once the lease ends: webhook delivery is at least once, receivers dedupe by delivery id.
   */
  claim(nowMs: number, limit: number, skip: ReadonlySet<number>, leaseUntilMs: number): Promise<StoredDelivery[]>;
  recordAttempt(id: number, attempt: DeliveryAttempt, step: DeliveryStep, nowMs: number): Promise<void>;
  giveUp(id: number, reason: string, nowMs: number): Promise<void>;
  list(filter: DeliveryFilter): Promise<StoredDelivery[]>;
  get(id: number): Promise<StoredDelivery | undefined>;
  /**
   * Puts a failed delivery back in the queue, due now (one more attempt; its earlier attempts stay).
   * FL_ERR_WEBHOOK_DELIVERY_NOT_FOUND when there is none, FL_ERR_WEBHOOK_NOT_FAILED when it is pending or delivered.
   */
  resend(id: number, nowMs: number): Promise<StoredDelivery>;
  /** How many deliveries the filter matches (its status and webhook; not its page). */
  count(filter: Pick<DeliveryFilter, 'status' | 'webhookId'>): Promise<number>;
}

/** What the service reports need, loaded defensively (figures the data cannot give are "unavailable"). */
export interface ReportsPort {
  load(period: ReportPeriod, filter: ReportFilter): Promise<ReportData>;
}

/** What another collector sharing the database committed (one desk unit of work). */
export interface RemoteDeskChanges {
  alarms: number[];
  tickets: number[];
  /** Sites whose flood state was written. */
  floodSites: string[];
  /** The earliest deadline the unit set; null: none. */
  earliestDueMs: number | null;
  /** Too much to name, or notifications may have been missed (a lost connection): re-read what is shown. */
  resync: boolean;
}

/** Collectors sharing one database: how one hears what the others committed. */
export interface ClusterPort {
  /** true when other collectors may share the store (PostgreSQL); an embedded store hears nothing. */
  readonly shared: boolean;
  /** Calls listener after every desk unit another collector commits (within a second); returns the unsubscribe. */
  onRemote(listener: (changes: RemoteDeskChanges) => void): () => void;
  /** Calls listener after every ingest batch another collector commits with telemetry, births or deaths; returns the unsubscribe. */
  onRemoteDevices(listener: (changes: RemoteDeviceChanges) => void): () => void;
  /** Calls listener when another collector changed on-call overrides or paging choices; returns the unsubscribe. */
  onRemoteSettings(listener: (changes: RemoteSettingsChanges) => void): () => void;
}

/** Devices whose telemetry or presence another collector committed (one ingest batch, or a part of it). */
export interface RemoteDeviceChanges {
  /** Devices with new telemetry: read their last-known values. */
  values: DeviceKey[];
  /** Devices born or dead: read their registry rows. */
  presence: DeviceKey[];
  /** Notifications may have been missed (a lost connection): re-read what is shown. */
  resync: boolean;
}

/** What another collector changed of the settings kept in the store (re-read them). */
export interface RemoteSettingsChanges {
  onCallOverrides: boolean;
  pagingPrefs: boolean;
}

/**
 * Retention of events (tickets and the audit log are never pruned). An event goes once it was
 * received before the cutoff, unless it belongs to a ticket that is not closed yet; of a closed
 * ticket the first event (the evidence it was opened on) stays as long as the ticket.
 */
export interface RetentionPort {
  /** Deletes at most `limit` such events; `more` while another call may find more (call again after yielding). */
  pruneEvents(receivedBeforeMs: number, limit: number): Promise<{ deleted: number; more: boolean }>;
}

export interface StorePort {
  /** Where the data lives, for logs and health (a file path; never a password). */
  readonly location: string;
  readonly ingest: IngestPort;
  readonly desk: DeskPort;
  readonly queries: QueryPort;
  readonly audit: AuditPort;
  readonly webhooks: WebhookOutboxPort;
  readonly users: UsersPort;
  readonly sessions: SessionsPort;
  readonly tokens: TokensPort;
  readonly credentials: CredentialsPort;
  readonly deviceKeys: DeviceKeysPort;
  readonly knowledge: KnowledgePort;
  readonly reports: ReportsPort;
  readonly cluster: ClusterPort;
  readonly loginFailures: LoginFailuresPort;
  readonly retention: RetentionPort;
  /** Saved views of the ticket table, per user. */
  readonly ticketViews: TicketViewsPort;
  /** On-call overrides set through the API. */
  readonly onCallOverrides: OnCallOverridesPort;
  /** Paging choices users set for themselves. */
  readonly pagingPrefs: PagingPrefsPort;
  /** Closes the store; idempotent. */
  close(): Promise<void>;
}
