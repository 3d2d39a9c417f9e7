/**
 * The telemetry and status batches one connection published straight from memory and the broker
 * has not acknowledged yet, oldest first, with the one timer that says when the oldest has waited
 * `maxMs` for its PUBACK (then the drainer stores them all: drainer.ts `enqueueLight`). The timer
 * runs only while a batch is held, so on a link whose PUBACKs come in milliseconds it never fires;
 * it still wakes the process once when it was the next timer due (Node leaves its event-loop timer
 * armed for a cleared one), hence a default deadline no shorter than the usual poll interval.
 */
import type { NewOutboxMessage } from '../outbox/index.js';

/** A batch published from memory; `seq` once it was stored after all. */
export interface Unstored {
  msg: NewOutboxMessage;
  sentMs: number;
  seq: number | null;
}

export class UnstoredBatches {
  private readonly held = new Set<Unstored>();
  private timer: NodeJS.Timeout | null = null;

  /** `overdue` is called once the oldest batch held has waited `maxMs`. */
  constructor(private readonly maxMs: number, private readonly now: () => number, private readonly overdue: () => void) {}

  get size(): number {
    return this.held.size;
  }

  has(u: Unstored): boolean {
    return this.held.has(u);
  }

  /** A batch just published. */
  add(msg: NewOutboxMessage): Unstored {
    const u: Unstored = { msg, sentMs: this.now(), seq: null };
    this.held.add(u);
    this.timer ??= setTimeout(() => this.check(), this.maxMs);
    return u;
  }

  /** Its PUBACK (or failure) came; false when it is not held (any more). */
  settle(u: Unstored): boolean {
    if (!this.held.delete(u)) return false;
    if (this.held.size === 0) this.stopTimer();
    return true;
  }

  /** Every batch held, oldest first; none is held after. */
  takeAll(): Unstored[] {
    const all = [...this.held];
    this.held.clear();
    this.stopTimer();
    return all;
  }

  private check(): void {
    this.timer = null;
    const oldest = this.held.values().next().value;
    if (oldest === undefined) return;
    const wait = oldest.sentMs + this.maxMs - this.now();
    if (wait > 0) this.timer = setTimeout(() => this.check(), wait);
    else this.overdue();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
