/**
 * The desk's clock: exactly one timer, set for the earliest stored deadline (desk_timers), re-armed
 * after every change and on start from the store. When it fires, `runDue(now)` runs every object
 * whose deadline has come, each in its own transaction. Tests with a fake clock call `runDue`
 * themselves (and construct the scheduler with `autoArm: false`).
 */
import type { Logger } from '../../bin/log.js';
import type { DeskTimer } from '../store/desk-timer-table.js';

/** setTimeout's longest delay; a later deadline is re-armed on waking. */
const MAX_DELAY_MS = 2_147_483_647;
/** A timer whose handler fails (or does not move its deadline) is retried this much later. */
export const RETRY_FAILED_TIMER_MS = 60_000;
const BATCH = 500;

export interface SchedulerDeps {
  next(): DeskTimer | undefined;
  due(nowMs: number, limit: number): DeskTimer[];
  /** Runs the timer's handler in its own transaction at nowMs. */
  fire(timer: DeskTimer, nowMs: number): void;
  /** Moves a timer (after a failure). */
  postpone(timer: DeskTimer, dueMs: number): void;
  /** After a run that changed something (e.g. kick the webhook sender). */
  afterRun(fired: number): void;
  now: () => number;
  log: Logger;
  /** false: never set a real timer (tests drive runDue). */
  autoArm: boolean;
}

export class DeskScheduler {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private armedFor: number | null = null;
  private running = false;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.running = true;
    this.rearm();
  }

  stop(): void {
    this.running = false;
    this.clear();
  }

  /** When the one timer will fire next (the earliest stored deadline); null when nothing is pending. */
  nextDueMs(): number | null {
    return this.deps.next()?.dueMs ?? null;
  }

  /** Sets the one real timer for the earliest deadline (no-op when not started or not auto-arming). */
  rearm(): void {
    if (!this.running || !this.deps.autoArm) return;
    const next = this.nextDueMs();
    if (next === this.armedFor && this.handle !== undefined) return;
    this.clear();
    if (next === null) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, next - this.deps.now()));
    this.armedFor = next;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedFor = null;
      this.runDue(this.deps.now());
      this.rearm();
    }, delay);
    this.handle.unref();
  }

  /** Fires every timer due by nowMs (each at most once per call); returns how many fired. */
  runDue(nowMs: number): number {
    let fired = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = this.deps.due(nowMs, BATCH).filter((t) => !seen.has(`${t.kind}:${t.key}`));
      if (due.length === 0) break;
      for (const timer of due) {
        seen.add(`${timer.kind}:${timer.key}`);
        try {
          this.deps.fire(timer, nowMs);
          fired++;
        } catch (err) {
          this.deps.log.error({ err, kind: timer.kind, key: timer.key, dueMs: timer.dueMs }, `desk timer failed; retrying in ${RETRY_FAILED_TIMER_MS / 1000} s`);
          this.deps.postpone(timer, nowMs + RETRY_FAILED_TIMER_MS);
        }
      }
    }
    const stuck = this.deps.due(nowMs, BATCH);
    for (const timer of stuck) {
      this.deps.log.error({ kind: timer.kind, key: timer.key, dueMs: timer.dueMs }, 'desk timer did not move its deadline; retrying later');
      this.deps.postpone(timer, nowMs + RETRY_FAILED_TIMER_MS);
    }
    if (fired > 0) this.deps.afterRun(fired);
    this.rearm();
    return fired;
  }

  private clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = null;
  }
}
