/**
 * The service desk at the edge: drives the pure core for ingest (inside the batch transaction, so an
 * event and its desk decisions commit together), for operator and engineer actions (each in one
 * transaction), and for time (the scheduler). After every commit it re-arms the scheduler for the
 * earliest deadline and kicks the webhook sender. Settings come from the reloadable config holder.
 */
import { checkpointDeliveries, wantsCheckpoints, type SignedHead } from '../core/notifications/checkpoint-delivery.js';
import { ticketSlaDueMs } from '../core/sla/sla-due.js';
import type { StoredPagingPrefs } from '../store/port/paging-prefs.js';
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { FaultEvent } from '../../protocol/values.js';
import { auditRecord, SYSTEM, type Actor, type AuditRecord } from '../core/desk/audit-record.js';
import type { DeskTicket, ManualTicketInput } from '../core/tickets/desk-ticket.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import { ALWAYS_CALENDAR, type Calendar } from '../core/sla/sla-calendar.js';
import type { DeskConfigHolder } from '../desk-config/config-holder.js';
import { configInvalid, type DeskSettings } from '../desk-config/desk-settings.js';
import { EventProcessingFailed, type DeskScope, type DeskUnit, type EventProcessor, type RemoteDeskChanges, type RemoteSettingsChanges, type StorePort, type StoredAlarm, type TicketRef } from '../store/port.js';
import { alarmAction, bulkAlarmAction, type AlarmAction, type BulkAlarmResult } from './alarm-actions.js';
import { ackAlarmAndTicket, type AlarmTicketAck } from './alarm-ticket-ack.js';
import { processDeskEvent } from './desk-ingest.js';
import { DeskScheduler } from './desk-scheduler.js';
import { DeskWork } from './desk-work.js';
import { ChangeSet, type DeskChangeListener, type DeskChanges } from './desk-changes.js';
import { ticketAction, type TicketAction } from './ticket-actions.js';
import { bulkTicketAction, type BulkTicketResult } from './bulk-ticket-actions.js';
import { claiming, fireTimer } from './timer-handlers.js';
import { openManualTicket } from './ticket-opening.js';
import { WebhookSender, type MailChannel } from './webhook-sender.js';
import { withOverrides, type TeamOverride } from '../core/routing/on-call-board.js';

/** Tickets whose SLA due instant is filled in at start, at most; and per unit of work. */
const SLA_DUE_FILL_MAX = 1_000_000;
const SLA_DUE_FILL_UNIT = 500;

/** With other collectors on the database: re-read the next deadline at least this often (notifications do the real waking). */
export const CLUSTER_SAFETY_POLL_MS = 30_000;

export interface DeskServiceOptions {
  store: StorePort;
  config: DeskConfigHolder;
  log: Logger;
  now: () => number;
  /** false: no real timers; tests call scheduler.runDue / webhooks.runDue with a fake clock. Default true. */
  autoTimers?: boolean;
  /** [0, 1) for webhook retry jitter; default Math.random. */
  random?: () => number;
  /** Sends e-mail pages (SMTP, see mail-pager.ts); none: queued pages are given up. */
  mail?: MailChannel;
}

export interface DeskCounters {
  eventsProcessed: number;
  eventErrors: number;
}

export class DeskService {
  readonly scheduler: DeskScheduler;
  readonly webhooks: WebhookSender;
  private effective: DeskSettings;
  private readonly counters: DeskCounters = { eventsProcessed: 0, eventErrors: 0 };
  /** The ingest batch in progress: events processed and failed (added to the counters once it commits), webhook deliveries queued. */
  private pending = { processed: 0, errors: 0, deliveries: 0 };
  private started = false;
  /** Changes of the ingest batch in progress (announced when it commits). */
  private readonly batchChanges = new ChangeSet();
  private readonly listeners = new Set<DeskChangeListener>();
  private stopRemote: (() => void) | undefined;
  private stopRemoteSettings: (() => void) | undefined;
  /** Reads of the stored settings started and the latest one applied (see loadOnCallOverrides). */
  private readonly reads = { overrides: { started: 0, applied: 0 }, prefs: { started: 0, applied: 0 } };
  private overrides: readonly TeamOverride[] = [];
  private pagingPrefs: readonly StoredPagingPrefs[] = [];
  private withStored: { base: DeskSettings; overrides: readonly TeamOverride[]; prefs: readonly StoredPagingPrefs[]; settings: DeskSettings } | undefined;

  constructor(private readonly opts: DeskServiceOptions) {
    const { store, log, now } = opts;
    const autoArm = opts.autoTimers ?? true;
    this.effective = opts.config.current();
    this.scheduler = new DeskScheduler({
      next: () => store.desk.nextTimer(),
      due: (nowMs, limit) => store.desk.dueTimers(nowMs, limit),
      // Each timer is claimed in the unit that applies it: with several collectors, one of them fires it.
      fire: (timer, nowMs) => this.run(nowMs, claiming(timer, nowMs), (work, unit) => {
        if (unit.claimed === false) return false;
        fireTimer(work, timer);
        return true;
      }),
      postpone: async (timer, dueMs, nowMs) => {
        await store.desk.transaction(claiming(timer, nowMs), (unit) => { if (unit.claimed !== false) unit.repo.timers.set(timer.kind, timer.key, dueMs); });
      },
      afterRun: () => this.webhooks.kick(),
      now, log: log.child({ part: 'desk-scheduler' }), autoArm,
      // Other collectors' deadlines arrive by notification; this poll only covers one lost with its connection.
      ...(store.cluster.shared ? { safetyPollMs: CLUSTER_SAFETY_POLL_MS } : {}),
    });
    this.webhooks = new WebhookSender({
      outbox: store.webhooks, settings: () => this.settings(), now, logger: log.child({ part: 'webhooks' }), autoArm,
      ...(opts.random ? { random: opts.random } : {}), ...(opts.mail ? { mail: opts.mail } : {}),
    });
  }

  /** Attaches the desk to ingest, arms the scheduler from the store and starts the webhook sender. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.effective = await this.withFallbackCalendars(this.opts.config.current());
    await this.fillSlaDue();
    await this.loadOnCallOverrides();
    await this.loadPagingPrefs();
    this.opts.config.onChange((s) => {
      void (async () => {
        this.effective = await this.withFallbackCalendars(s);
        await this.recomputeTimers();
      })().catch((err: unknown) => this.opts.log.error({ err }, 'applying the new desk config to stored deadlines failed'));
    });
    this.opts.store.ingest.setEventProcessor(this.eventProcessor());
    this.stopRemote = this.opts.store.cluster.onRemote((c) => this.remoteChanges(c));
    this.stopRemoteSettings = this.opts.store.cluster.onRemoteSettings((c) => this.remoteSettings(c));
    this.scheduler.start();
    this.webhooks.start();
  }

  async stop(): Promise<void> {
    this.opts.store.ingest.setEventProcessor(null);
    this.stopRemote?.();
    this.stopRemote = undefined;
    this.stopRemoteSettings?.();
    this.stopRemoteSettings = undefined;
    await this.scheduler.stop();
    await this.webhooks.stop();
  }

  settings(): DeskSettings {
    // The config in force with the on-call overrides set through the API (recomputed when either changes).
    const c = this.withStored;
    if (c?.base === this.effective && c.overrides === this.overrides && c.prefs === this.pagingPrefs) return c.settings;
    const settings = this.overrides.length === 0 && this.pagingPrefs.length === 0 ? this.effective : {
      ...this.effective, teams: withOverrides(this.effective.teams, this.overrides),
      paging: { ...this.effective.paging, ...Object.fromEntries(this.pagingPrefs.map((p) => [p.member, p.prefs])) },
    };
    this.withStored = { base: this.effective, overrides: this.overrides, prefs: this.pagingPrefs, settings };
    return settings;
  }

  /** Re-reads the on-call overrides set through the API (at start and after one is added). */
  async loadOnCallOverrides(): Promise<void> {
    // Reads may overlap (an API change here, a notification from another collector): the one started last wins.
    const started = ++this.reads.overrides.started;
    const list = await this.opts.store.onCallOverrides.list(this.opts.now());
    if (started < this.reads.overrides.applied) return;
    this.reads.overrides.applied = started;
    this.overrides = list;
  }

  /** Re-reads the paging choices users set for themselves (at start and after one changes). */
  async loadPagingPrefs(): Promise<void> {
    const started = ++this.reads.prefs.started;
    const all = await this.opts.store.pagingPrefs.all();
    if (started < this.reads.prefs.applied) return;
    this.reads.prefs.applied = started;
    this.pagingPrefs = all;
  }

  /** Calls `listener` after every commit that touched alarms, tickets or flood states; returns the unsubscribe. */
  onChanges(listener: DeskChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  stats(): DeskCounters {
    return { ...this.counters };
  }

  /** Appends audit records that are not desk changes (e.g. engineers' device requests), in one store transaction. */
  async appendAudit(records: readonly AuditRecord[]): Promise<void> {
    await this.opts.store.audit.append(records);
  }

  /** Queues a signed audit checkpoint for the webhooks that name `audit.checkpoint`; resolves with how many deliveries. */
  async queueAuditCheckpoint(cp: SignedHead): Promise<number> {
    const subscriptions = this.settings().subscriptions;
    if (!wantsCheckpoints(subscriptions)) return 0;
    return this.change({}, (work) => {
      const deliveries = checkpointDeliveries(cp, subscriptions);
      for (const d of deliveries) work.repo.webhooks.enqueue(d, work.nowMs);
      work.deliveriesQueued += deliveries.length;
      return deliveries.length;
    });
  }

  /** Re-reads the config file; refuses one that drops a calendar open tickets still run on. The reload is audited. */
  async reloadConfig(actor: Actor = SYSTEM): Promise<DeskSettings> {
    const inUse = await this.opts.store.desk.calendarsInUse();
    const next = this.opts.config.reload((candidate) => {
      const missing = inUse.filter((id) => !candidate.calendars[id]);
      if (missing.length === 0) return;
      throw configInvalid(candidate.source, missing.map((id) => ({
        key: 'calendars', line: undefined, message: `calendar ${id} is used by the SLA clocks of open tickets`, fix: `keep calendar ${id} until those tickets are closed`,
      })));
    });
    await this.change({}, (work) => work.record([auditRecord(work.nowMs, actor, { kind: 'routing', id: 'config' }, 'config-reload', {
      reason: `desk config reloaded from ${next.source}`,
      details: { teams: Object.keys(next.teams).length, rules: next.routing.rules.length, calendars: Object.keys(next.calendars).length, webhooks: next.webhooks.length },
    })]));
    return next;
  }

  eventProcessor(): EventProcessor {
    return {
      processEvent: (unit, e, nowMs, device, isolate) => this.processEvent(unit, e, nowMs, device, isolate),
      afterBatch: (committed) => {
        if (committed) {
          this.counters.eventsProcessed += this.pending.processed;
          this.counters.eventErrors += this.pending.errors;
          this.announce(this.batchChanges);
        }
        this.batchChanges.clear();
        // The sender's own timer covers retries; only a batch that queued deliveries needs to wake it.
        const queued = committed && this.pending.deliveries > 0;
        this.pending = { processed: 0, errors: 0, deliveries: 0 };
        this.afterCommit(queued);
      },
    };
  }

  alarmAction(id: number, action: AlarmAction, actor: Actor): Promise<StoredAlarm> {
    return this.change({ alarms: [id] }, (work) => alarmAction(work, id, action, actor));
  }

  /** Acknowledges an alarm and its fault's ticket in one unit of work (see alarm-ticket-ack.ts). */
  ackAlarmAndTicket(id: number, ticketId: number, note: string, actor: Actor): Promise<AlarmTicketAck> {
    return this.change({ alarms: [id], tickets: [ticketId] }, (work) => ackAlarmAndTicket(work, id, ticketId, note, actor));
  }

  bulkAlarmAction(ids: readonly number[], action: AlarmAction, actor: Actor): Promise<BulkAlarmResult> {
    return this.change({ alarms: ids }, (work) => bulkAlarmAction(work, ids, action, actor));
  }

  async ticketAction(ref: TicketRef, action: TicketAction, actor: Actor): Promise<DeskTicket> {
    const id = 'id' in ref ? ref.id : (await this.opts.store.queries.getTicket(ref))?.id;
    return this.change(id === undefined ? {} : { tickets: [id] }, (work) => {
      const t = 'id' in ref ? work.repo.tickets.get(ref.id) : work.repo.tickets.getByNumber(ref.number);
      if (!t) throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no ticket ${'id' in ref ? ref.id : ref.number}`, { context: { ticket: ref } });
      return ticketAction(work, t, action, actor);
    });
  }

  /** One action on several tickets in one unit of work; each ticket it does not fit is a failure, the rest go ahead. */
  bulkTicketAction(ids: readonly number[], action: TicketAction, actor: Actor): Promise<BulkTicketResult> {
    return this.change({ tickets: ids }, (work) => bulkTicketAction(work, ids, action, actor));
  }

  async openManualTicket(input: ManualTicketInput, actor: Actor): Promise<DeskTicket> {
    const site = input.site.trim();
    const device = input.device.trim();
    const known = device === '' ? undefined : (await this.opts.store.queries.listDevices()).find((d) => d.site === site && d.device === device);
    const scope: DeskScope = device === '' ? { sites: [site] } : { sites: [site], devices: [{ site, device }] };
    return this.change(scope, (work) => openManualTicket(work, input, { model: known?.model ?? '', firmware: known?.firmware ?? '' }, actor));
  }

  /**
   * Stores the SLA due instant of tickets that have none stored (rows from before it was kept, once;
   * tickets whose clocks do not run are looked at again, and stay null), in units of a few hundred tickets.
   */
  private async fillSlaDue(): Promise<void> {
    const ids = await this.opts.store.desk.ticketsWithoutSlaDue(SLA_DUE_FILL_MAX);
    for (let i = 0; i < ids.length; i += SLA_DUE_FILL_UNIT) {
      const unit = ids.slice(i, i + SLA_DUE_FILL_UNIT);
      await this.change({ tickets: unit }, (work) => {
        for (const id of unit) {
          const t = work.repo.tickets.get(id);
          if (t) work.repo.tickets.setSlaDue(id, ticketSlaDueMs(t, work.settings.calendars));
        }
      });
    }
  }

  /** Every stored deadline again under the current settings (calendars, hold times, windows may have changed). */
  async recomputeTimers(): Promise<void> {
    await this.change({ all: true }, (work) => {
      const { repo } = work;
      for (const id of repo.tickets.notClosedIds()) {
        const t = repo.tickets.get(id);
        if (t) work.ticket({ ticket: t, effects: [], audit: [] });
      }
      for (const site of repo.alarms.floodingSites()) {
        const state = repo.alarms.flood(site);
        if (state) work.flood({ state, events: [] });
      }
      for (const alarm of repo.alarms.chatteringAlarms()) {
        const state = repo.alarms.chatter(alarm);
        if (state) work.chatter({ state, events: [] });
      }
    });
  }

  /**
   * Fast pass: straight into the batch transaction; a failure fails the pass (the batch writer runs
   * it again isolated). Isolated pass: each event in a savepoint, so a desk failure rolls back the
   * desk's part only and the event itself is still stored (and counted in eventErrors).
   */
  private processEvent(unit: DeskUnit, e: FaultEvent, nowMs: number, device: DeviceState | undefined, isolate: boolean): number | null {
    // The isolated pass collects into its own set, merged only when its savepoint committed.
    const changes = isolate ? new ChangeSet() : this.batchChanges;
    const process = (): number | null => {
      const work = new DeskWork(unit.repo, this.settings(), nowMs, changes);
      const ticketId = processDeskEvent(work, e, device);
      this.pending.deliveries += work.deliveriesQueued;
      return ticketId;
    };
    if (!isolate) {
      try {
        const ticketId = process();
        this.pending.processed++;
        return ticketId;
      } catch (err) {
        this.pending = { processed: 0, errors: 0, deliveries: 0 };
        this.batchChanges.clear();
        throw new EventProcessingFailed(e.id, err);
      }
    }
    try {
      const ticketId = unit.savepoint(process);
      this.pending.processed++;
      this.batchChanges.merge(changes);
      return ticketId;
    } catch (err) {
      this.pending.errors++;
      this.opts.log.error({ err, event: e.id, site: e.site, device: e.device, code: e.code }, 'desk could not process the event; it is stored without desk changes');
      return null;
    }
  }

  /** One transaction at the current time, then re-arm and kick. */
  private change<T>(scope: DeskScope, fn: (work: DeskWork) => T): Promise<T> {
    return this.run(this.opts.now(), scope, fn, true);
  }

  private async run<T>(nowMs: number, scope: DeskScope, fn: (work: DeskWork, unit: DeskUnit) => T, after = false): Promise<T> {
    const changes = new ChangeSet();
    try {
      const result = await this.opts.store.desk.transaction(scope, (unit) => fn(new DeskWork(unit.repo, this.settings(), nowMs, changes), unit));
      this.announce(changes);
      return result;
    } finally {
      if (after) this.afterCommit();
    }
  }

  /** Another collector committed a unit: show its changes here too, and wake for its deadline when earlier than ours. */
  private remoteChanges(c: RemoteDeskChanges): void {
    if (c.resync) this.scheduler.rearm();
    else if (c.earliestDueMs !== null) this.scheduler.wakeBy(c.earliestDueMs);
    if (c.alarms.length + c.tickets.length + c.floodSites.length > 0) this.tell({ alarms: c.alarms, tickets: c.tickets, floodSites: c.floodSites });
  }

  /** Another collector set an on-call override or paging choices: re-read them, so paging and assignment here follow at once. */
  private remoteSettings(c: RemoteSettingsChanges): void {
    const reloads = [...(c.onCallOverrides ? [this.loadOnCallOverrides()] : []), ...(c.pagingPrefs ? [this.loadPagingPrefs()] : [])];
    Promise.all(reloads).catch((err: unknown) => this.opts.log.error({ err }, 'could not re-read the on-call overrides or paging choices another collector changed'));
  }

  private announce(changes: ChangeSet): void {
    if (changes.empty || this.listeners.size === 0) return;
    this.tell(changes.take());
  }

  private tell(taken: DeskChanges): void {
    for (const listener of this.listeners) {
      try {
        listener(taken);
      } catch (err) {
        this.opts.log.error({ err }, 'a desk change listener failed');
      }
    }
  }

  private afterCommit(kickWebhooks = true): void {
    this.scheduler.rearm();
    if (kickWebhooks) this.webhooks.kick();
  }

  /** Stored tickets whose calendar is not configured (the file changed while the collector was down) run on 24x7, with a warning. */
  private async withFallbackCalendars(s: DeskSettings): Promise<DeskSettings> {
    const missing = (await this.opts.store.desk.calendarsInUse()).filter((id) => !s.calendars[id]);
    if (missing.length === 0) return s;
    this.opts.log.warn({ calendars: missing }, 'open tickets use calendars the config does not define; they run on 24x7 until the calendars are added back');
    const fallback: Record<string, Calendar> = Object.fromEntries(missing.map((id) => [id, { ...ALWAYS_CALENDAR, id }]));
    return { ...s, calendars: { ...fallback, ...s.calendars } };
  }
}
