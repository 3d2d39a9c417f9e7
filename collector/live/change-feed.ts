/**
 * A change feed for clients that poll instead of holding a live stream open: every committed change
 * of an object (a ticket id) gets the next sequence number; a client keeps the cursor of the last
 * answer and asks for what changed after it. The feed keeps the most recent `capacity` changes in
 * memory (a ring); a cursor from before them, or from an earlier run of the collector (its epoch
 * differs), answers `reset`: the client re-reads the full list and follows on from the cursor given.
 *
 * Cursors read `<epoch>.<seq>`. Waiting (long polling) is bounded by the caller's timeout and ends
 * early on the first change after the cursor or when the caller aborts.
 */
import { FaultlineError } from '../../protocol/errors.js';

/** What changed after a cursor. */
export type FeedAnswer =
  | { kind: 'changes'; ids: number[]; cursor: string; more: boolean }
  /** The cursor is unknown or too old: re-read the list, then follow on from `cursor`. */
  | { kind: 'reset'; cursor: string };

/** A cursor that is not `<epoch>.<seq>`. */
export class BadCursor extends FaultlineError {
  constructor(readonly cursor: string) {
    super('FL_ERR_API_BAD_REQUEST', `cursor ${JSON.stringify(cursor)} is not one this API gave out (expected <epoch>.<sequence>)`, { context: { after: cursor } });
    this.name = 'BadCursor';
  }
}

export const DEFAULT_FEED_CAPACITY = 65_536;

interface Waiter {
  after: number;
  wake: () => void;
}

export class ChangeFeed {
  private seq = 0;
  private readonly ring: Float64Array;
  private readonly waiters = new Set<Waiter>();

  /** `epoch`: different for every run of the collector (e.g. its start time in base 36). */
  constructor(readonly epoch: string, readonly capacity = DEFAULT_FEED_CAPACITY) {
    if (!/^[0-9a-z]+$/.test(epoch)) throw new RangeError(`feed epoch must be lower-case letters and digits, got ${JSON.stringify(epoch)}`);
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`feed capacity must be a positive integer, got ${capacity}`);
    this.ring = new Float64Array(capacity);
  }

  /** The cursor after every change recorded so far. */
  cursor(): string {
    return `${this.epoch}.${this.seq}`;
  }

  /** Records that these objects changed (in one commit), and wakes whoever waits. */
  record(ids: readonly number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.ring[++this.seq % this.capacity] = id;
    for (const w of this.waiters) if (this.seq > w.after) w.wake();
  }

  /** The sequence number a cursor stands for, or null when it is from another run; throws BadCursor when malformed. */
  private position(cursor: string): number | null {
    const m = /^([0-9a-z]+)\.(\d{1,15})$/.exec(cursor);
    if (!m) throw new BadCursor(cursor);
    const seq = Number(m[2]);
    return m[1] === this.epoch && seq <= this.seq ? seq : null;
  }

  /** Distinct ids changed after `cursor` (oldest change first), at most `limit`; `more` when later changes were left for the next call. */
  after(cursor: string, limit: number): FeedAnswer {
    const from = this.position(cursor);
    if (from === null || from < this.seq - this.capacity) return { kind: 'reset', cursor: this.cursor() };
    const ids: number[] = [];
    const seen = new Set<number>();
    let at = from;
    while (at < this.seq) {
      const id = this.ring[(at + 1) % this.capacity] as number;
      if (!seen.has(id)) {
        if (ids.length === limit) break;
        seen.add(id);
        ids.push(id);
      }
      at++;
    }
    return { kind: 'changes', ids, cursor: `${this.epoch}.${at}`, more: at < this.seq };
  }

  /**
   * Resolves once something changed after `cursor` (at once when it already has, or when the cursor
   * is not current for this run), when `timeoutMs` passed, or when `signal` aborts.
   */
  async waitAfter(cursor: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const from = this.position(cursor);
    if (from === null || from < this.seq || timeoutMs <= 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { after: from, wake: done };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done);
      this.waiters.add(waiter);
    });
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Ends every wait (the server is closing). */
  close(): void {
    for (const w of [...this.waiters]) w.wake();
  }
}
