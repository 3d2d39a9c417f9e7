/**
 * Retention: how long the collector keeps what it stores, and the worker that prunes events.
 *
 * - events: `eventsDays` after arrival (default 180; 0 keeps them forever), except those a ticket
 *   needs (the rule: store/port.ts, RetentionPort);
 * - telemetry: `telemetryHours` by sample time (default 24), pruned by the store itself (SQLite: a
 *   bounded batch inside an ingest commit once a minute; PostgreSQL: day partitions dropped);
 * - tickets and the audit log: never pruned (the support process keeps records at least three
 *   years, and the audit chain is verified from its first row).
 *
 * The worker prunes events every `everyMs`, in batches of `batch` with a turn of the event loop
 * between two, so ingest commits and API calls go on while a large backlog is pruned.
 */
import type { Logger } from '../protocol/logger.js';
import type { RetentionPort } from './store/port.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
export const DEFAULT_EVENTS_DAYS = 180;
export const DEFAULT_TELEMETRY_HOURS = 24;
const DEFAULT_EVERY_MS = 10 * 60 * 1000;
const DEFAULT_BATCH = 1000;
/** At most this many batches per run, so a run is bounded even on a huge backlog (the next run goes on). */
const MAX_BATCHES_PER_RUN = 10_000;

export interface RetentionSettings {
  /** Days events are kept after arrival; 0 = forever. */
  eventsDays: number;
  /** Hours telemetry is kept, by sample time. */
  telemetryHours: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { eventsDays: DEFAULT_EVENTS_DAYS, telemetryHours: DEFAULT_TELEMETRY_HOURS };

export const telemetryRetentionMs = (s: RetentionSettings): number => s.telemetryHours * HOUR_MS;

export interface RetentionWorkerOptions {
  store: RetentionPort;
  settings: RetentionSettings;
  log: Logger;
  now: () => number;
  everyMs?: number;
  batch?: number;
}

export class RetentionWorker {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly opts: RetentionWorkerOptions) {}

  /** The first run one minute after start (not in the way of a busy start), then every `everyMs`. */
  start(firstAfterMs = 60_000): void {
    if (this.opts.settings.eventsDays <= 0) return;
    this.schedule(firstAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One run now: prunes in batches until nothing more is due; returns how many events went. */
  runOnce(): Promise<number> {
    this.running ??= this.run().finally(() => { this.running = undefined; });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce().catch((err: unknown) => {
        this.opts.log.warn({ err }, 'pruning old events failed; trying again at the next run');
      }).finally(() => this.schedule(this.opts.everyMs ?? DEFAULT_EVERY_MS));
    }, ms);
    this.timer.unref();
  }

  private async run(): Promise<number> {
    const cutoff = this.opts.now() - this.opts.settings.eventsDays * DAY_MS;
    const batch = this.opts.batch ?? DEFAULT_BATCH;
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN && !this.stopped; i++) {
      const { deleted, more } = await this.opts.store.pruneEvents(cutoff, batch);
      total += deleted;
      if (!more) break;
      await new Promise((resolve) => setImmediate(resolve)); // ingest and the API get their turn
    }
    if (total > 0) this.opts.log.info({ events: total, receivedBeforeMs: cutoff }, 'events past retention pruned');
    return total;
  }
}
