/**
 * The desk's clock: exactly one timer, set for the earliest stored deadline (desk_timers), re-armed
 * after every change and on start from the store. When it fires, `runDue(now)` runs every object
 * whose deadline has come, each in its own transaction. Tests with a fake clock call `runDue`
 * themselves (and construct the scheduler with `autoArm: false`).
 *
 * Several collectors on one database: each fire claims its timer in the unit that applies it, so
 * exactly one collector applies a deadline (`fire` resolves false when another had it). A deadline
 * another collector sets earlier than ours arrives through `wakeBy` (PostgreSQL NOTIFY), and a
 * slow safety poll (`safetyPollMs`) covers a notification lost with its connection.
 */
import type { DeskTimer } from '../store/port.js';
import type { Logger } from '../../protocol/logger.js';

/** setTimeout's longest delay; a later deadline is re-armed on waking. */
const MAX_DELAY_MS = 2_147_483_647;
/** A timer whose handler fails (or does not move its deadline) is retried this much later. */
export const RETRY_FAILED_TIMER_MS = 60_000;
const BATCH = 500;
/**
 * A due timer another collector was firing is looked at again this much later (its commit moves the
 * deadline and notifies; a rollback leaves it due for whoever looks next), instead of spinning on it.
 */
export const SKIPPED_RETRY_MS = 200;

export interface SchedulerDeps {
  next(): Promise<DeskTimer | undefined>;
  due(nowMs: number, limit: number): Promise<DeskTimer[]>;
  /** Runs the timer's handler in its own unit of work at nowMs; false when the unit could not claim it (another collector fired it). */
  fire(timer: DeskTimer, nowMs: number): Promise<boolean>;
  /** Moves a timer still due by nowMs (after a failure). */
  postpone(timer: DeskTimer, dueMs: number, nowMs: number): Promise<void>;
  /** After a run that changed something (e.g. kick the webhook sender). */
  afterRun(fired: number): void;
  now: () => number;
  log: Logger;
  /** false: never set a real timer (tests drive runDue). */
  autoArm: boolean;
  /** Wake at least this often even when nothing is due (other collectors may add deadlines); undefined: only for the next deadline. */
  safetyPollMs?: number;
}

export class DeskScheduler {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private armedFor: number | null = null;
  private running = false;
  /** The re-arm in progress (it reads the store); one more is due when something changed meanwhile. */
  private arming: Promise<void> | null = null;
  private armAgain = false;
  /** Not before then: the last run skipped timers other collectors were firing. */
  private notBeforeMs = 0;
  /** Runs of due timers, one after the other. */
  private runs: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.running = true;
    this.rearm();
  }

  /** Stops the timer and waits for a run or re-arm in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.clear();
    await Promise.allSettled([this.runs, this.arming]);
  }

  /** When the one timer will fire next (the earliest stored deadline); null when nothing is pending. */
  async nextDueMs(): Promise<number | null> {
    return (await this.deps.next())?.dueMs ?? null;
  }

  /** Sets the one real timer for the earliest deadline (no-op when not started or not auto-arming); re-arms made meanwhile coalesce. */
  rearm(): void {
    if (!this.running || !this.deps.autoArm) return;
    if (this.arming) {
      this.armAgain = true;
      return;
    }
    this.arming = (async () => {
      do {
        this.armAgain = false;
        await this.arm();
      } while (this.armAgain && this.running);
    })().catch((err: unknown) => {
      this.deps.log.error({ err }, `desk timers could not be read; trying again in ${RETRY_FAILED_TIMER_MS / 1000} s`);
      this.setTimer(this.deps.now() + RETRY_FAILED_TIMER_MS);
    }).finally(() => { this.arming = null; });
  }

  /** Another collector set a deadline at dueMs: re-arm when it is earlier than the one armed. */
  wakeBy(dueMs: number): void {
    if (this.armedFor === null || dueMs < this.armedFor) this.rearm();
  }

  /** Fires every timer due by nowMs (each at most once per call); returns how many fired. Runs queue behind each other. */
  runDue(nowMs: number): Promise<number> {
    const run = this.runs.then(() => this.runDueNow(nowMs));
    this.runs = run.catch(() => undefined);
    return run;
  }

  private async arm(): Promise<void> {
    const next = await this.nextDueMs();
    if (!this.running) return;
    if (next === this.armedFor && this.handle !== undefined) return;
    this.clear();
    if (next !== null) this.setTimer(next);
    else if (this.deps.safetyPollMs !== undefined) this.setTimer(this.deps.now() + this.deps.safetyPollMs);
  }

  private setTimer(atMs: number): void {
    if (!this.running || !this.deps.autoArm) return;
    this.clear();
    const delay = Math.min(MAX_DELAY_MS, this.deps.safetyPollMs ?? MAX_DELAY_MS, Math.max(0, atMs - this.deps.now(), this.notBeforeMs - this.deps.now()));
    this.armedFor = atMs;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedFor = null;
      this.runDue(this.deps.now()).catch((err: unknown) => {
        this.deps.log.error({ err }, `running due desk timers failed; trying again in ${RETRY_FAILED_TIMER_MS / 1000} s`);
        this.setTimer(this.deps.now() + RETRY_FAILED_TIMER_MS);
      });
    }, delay);
    this.handle.unref();
  }

  private async runDueNow(nowMs: number): Promise<number> {
    let fired = 0;
    let skipped = 0;
    const seen = new Set<string>();
    /** Timers this run applied: one still due afterwards did not move its deadline. */
    const applied = new Set<string>();
    const id = (t: DeskTimer): string => `${t.kind}:${t.key}`;
    for (;;) {
      const due = (await this.deps.due(nowMs, BATCH)).filter((t) => !seen.has(id(t)));
      if (due.length === 0) break;
      for (const timer of due) {
        seen.add(id(timer));
        try {
          if (await this.deps.fire(timer, nowMs)) {
            fired++;
            applied.add(id(timer));
          } else {
            skipped++;
          }
        } catch (err) {
          this.deps.log.error({ err, kind: timer.kind, key: timer.key, dueMs: timer.dueMs }, `desk timer failed; retrying in ${RETRY_FAILED_TIMER_MS / 1000} s`);
          await this.deps.postpone(timer, nowMs + RETRY_FAILED_TIMER_MS, nowMs);
        }
      }
    }
    const stuck = (await this.deps.due(nowMs, BATCH)).filter((t) => applied.has(id(t)));
    for (const timer of stuck) {
      this.deps.log.error({ kind: timer.kind, key: timer.key, dueMs: timer.dueMs }, 'desk timer did not move its deadline; retrying later');
      await this.deps.postpone(timer, nowMs + RETRY_FAILED_TIMER_MS, nowMs);
    }
    if (fired > 0) this.deps.afterRun(fired);
    this.notBeforeMs = skipped > 0 ? this.deps.now() + SKIPPED_RETRY_MS : 0;
    this.rearm();
    return fired;
  }

  private clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = null;
  }
}
