/**
 * The service desk at the edge: drives the pure core for ingest (inside the batch transaction, so an
 * event and its desk decisions commit together), for operator and engineer actions (each in one
 * transaction), and for time (the scheduler). After every commit it re-arms the scheduler for the
 * earliest deadline and kicks the webhook sender. Settings come from the reloadable config holder.
 */
import type { Logger } from '../../bin/log.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { FaultEvent } from '../../protocol/values.js';
import { auditRecord, SYSTEM, type Actor, type AuditRecord } from '../core/audit-record.js';
import type { DeskTicket, ManualTicketInput } from '../core/desk-ticket.js';
import type { DeviceState } from '../core/device-registry.js';
import { ALWAYS_CALENDAR, type Calendar } from '../core/sla-calendar.js';
import type { DeskConfigHolder } from '../config/config-holder.js';
import { configInvalid, type DeskSettings } from '../config/desk-settings.js';
import { EventProcessingFailed, type EventProcessor } from '../store/batch-writer.js';
import type { StoredAlarm } from '../store/desk-alarms.js';
import type { TicketRef } from '../store/queries.js';
import type { DeskRepo, Store } from '../store/store.js';
import { alarmAction, bulkAlarmAction, type AlarmAction, type BulkAlarmResult } from './alarm-actions.js';
import { processDeskEvent } from './desk-ingest.js';
import { DeskScheduler } from './desk-scheduler.js';
import { DeskWork } from './desk-work.js';
import { ChangeSet, type DeskChangeListener } from './desk-changes.js';
import { ticketAction, type TicketAction } from './ticket-actions.js';
import { fireTimer } from './timer-handlers.js';
import { openManualTicket } from './ticket-opening.js';
import { WebhookSender } from './webhook-sender.js';

export interface DeskServiceOptions {
  store: Store;
  config: DeskConfigHolder;
  log: Logger;
  now: () => number;
  /** false: no real timers; tests call scheduler.runDue / webhooks.runDue with a fake clock. Default true. */
  autoTimers?: boolean;
  /** [0, 1) for webhook retry jitter; default Math.random. */
  random?: () => number;
}

export interface DeskCounters {
  eventsProcessed: number;
  eventErrors: number;
}

export class DeskService {
  readonly scheduler: DeskScheduler;
  readonly webhooks: WebhookSender;
  /** The desk's tables, for reading (changes go through the methods below). */
  readonly repo: DeskRepo;
  private effective: DeskSettings;
  private readonly counters: DeskCounters = { eventsProcessed: 0, eventErrors: 0 };
  /** The ingest batch in progress: events processed and failed (added to the counters once it commits), webhook deliveries queued. */
  private pending = { processed: 0, errors: 0, deliveries: 0 };
  private started = false;
  /** Changes of the ingest batch in progress (announced when it commits). */
  private readonly batchChanges = new ChangeSet();
  private readonly listeners = new Set<DeskChangeListener>();

  constructor(private readonly opts: DeskServiceOptions) {
    const { store, log, now } = opts;
    const autoArm = opts.autoTimers ?? true;
    this.repo = store.desk;
    this.effective = opts.config.current();
    this.scheduler = new DeskScheduler({
      next: () => store.desk.timers.next(),
      due: (nowMs, limit) => store.desk.timers.due(nowMs, limit),
      fire: (timer, nowMs) => { this.run(nowMs, (work) => fireTimer(work, timer)); },
      postpone: (timer, dueMs) => store.desk.timers.set(timer.kind, timer.key, dueMs),
      afterRun: () => this.webhooks.kick(),
      now, log: log.child({ part: 'desk-scheduler' }), autoArm,
    });
    this.webhooks = new WebhookSender({
      log: store.desk.webhooks, settings: () => this.settings(), now, logger: log.child({ part: 'webhooks' }), autoArm,
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  /** Attaches the desk to ingest, arms the scheduler from the store and starts the webhook sender. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.effective = this.withFallbackCalendars(this.opts.config.current());
    this.opts.config.onChange((s) => {
      this.effective = this.withFallbackCalendars(s);
      this.recomputeTimers();
    });
    this.opts.store.setEventProcessor(this.eventProcessor());
    this.scheduler.start();
    this.webhooks.start();
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    await this.webhooks.stop();
  }

  settings(): DeskSettings {
    return this.effective;
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
  appendAudit(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    this.opts.store.transaction(() => this.repo.audit.append(records));
  }

  /** Re-reads the config file; refuses one that drops a calendar open tickets still run on. The reload is audited. */
  reloadConfig(actor: Actor = SYSTEM): DeskSettings {
    const next = this.opts.config.reload((candidate) => {
      const missing = this.opts.store.desk.tickets.calendarsInUse().filter((id) => !candidate.calendars[id]);
      if (missing.length === 0) return;
      throw configInvalid(candidate.source, missing.map((id) => ({
        key: 'calendars', line: undefined, message: `calendar ${id} is used by the SLA clocks of open tickets`, fix: `keep calendar ${id} until those tickets are closed`,
      })));
    });
    this.change((work) => work.record([auditRecord(work.nowMs, actor, { kind: 'routing', id: 'config' }, 'config-reload', {
      reason: `desk config reloaded from ${next.source}`,
      details: { teams: Object.keys(next.teams).length, rules: next.routing.rules.length, calendars: Object.keys(next.calendars).length, webhooks: next.webhooks.length },
    })]));
    return next;
  }

  eventProcessor(): EventProcessor {
    return {
      processEvent: (e, nowMs, device, isolate) => this.processEvent(e, nowMs, device, isolate),
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

  alarmAction(id: number, action: AlarmAction, actor: Actor): StoredAlarm {
    return this.change((work) => alarmAction(work, id, action, actor));
  }

  bulkAlarmAction(ids: readonly number[], action: AlarmAction, actor: Actor): BulkAlarmResult {
    return this.change((work) => bulkAlarmAction(work, ids, action, actor));
  }

  ticketAction(ref: TicketRef, action: TicketAction, actor: Actor): DeskTicket {
    return this.change((work) => {
      const t = 'id' in ref ? work.repo.tickets.get(ref.id) : work.repo.tickets.getByNumber(ref.number);
      if (!t) throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no ticket ${'id' in ref ? ref.id : ref.number}`, { context: { ticket: ref } });
      return ticketAction(work, t, action, actor);
    });
  }

  openManualTicket(input: ManualTicketInput, actor: Actor): DeskTicket {
    return this.change((work) => {
      const known = input.device.trim() === '' ? undefined : this.opts.store.listDevices().find((d) => d.site === input.site.trim() && d.device === input.device.trim());
      return openManualTicket(work, input, { model: known?.model ?? '', firmware: known?.firmware ?? '' }, actor);
    });
  }

  /** Every stored deadline again under the current settings (calendars, hold times, windows may have changed). */
  recomputeTimers(): void {
    this.change((work) => {
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
  private processEvent(e: FaultEvent, nowMs: number, device: DeviceState | undefined, isolate: boolean): number | null {
    // The isolated pass collects into its own set, merged only when its savepoint committed.
    const changes = isolate ? new ChangeSet() : this.batchChanges;
    const process = (): number | null => {
      const work = new DeskWork(this.opts.store.desk, this.settings(), nowMs, changes);
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
      const ticketId = this.opts.store.transaction(process);
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
  private change<T>(fn: (work: DeskWork) => T): T {
    return this.run(this.opts.now(), fn, true);
  }

  private run<T>(nowMs: number, fn: (work: DeskWork) => T, after = false): T {
    const changes = new ChangeSet();
    try {
      const result = this.opts.store.transaction(() => fn(new DeskWork(this.opts.store.desk, this.settings(), nowMs, changes)));
      this.announce(changes);
      return result;
    } finally {
      if (after) this.afterCommit();
    }
  }

  private announce(changes: ChangeSet): void {
    if (changes.empty || this.listeners.size === 0) return;
    const taken = changes.take();
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
  private withFallbackCalendars(s: DeskSettings): DeskSettings {
    const missing = this.opts.store.desk.tickets.calendarsInUse().filter((id) => !s.calendars[id]);
    if (missing.length === 0) return s;
    this.opts.log.warn({ calendars: missing }, 'open tickets use calendars the config does not define; they run on 24x7 until the calendars are added back');
    const fallback: Record<string, Calendar> = Object.fromEntries(missing.map((id) => [id, { ...ALWAYS_CALENDAR, id }]));
    return { ...s, calendars: { ...fallback, ...s.calendars } };
  }
}
