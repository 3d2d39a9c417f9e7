/**
 * Group commit: items submitted in the same turn of the event loop are committed together in
 * one call (one transaction), up to `maxBatch` at a time; each submitter's promise settles when
 * its batch has committed. If a batch fails, its items are retried one by one so a single bad
 * item cannot fail the others.
 *
 * One batch per turn of the event loop (setImmediate): between two batches the loop reads sockets
 * and answers HTTP requests, so an API call never waits behind a backlog, and items that arrive
 * meanwhile join the next batch (under load batches grow towards `maxBatch`, which is what makes
 * a commit cheap per item).
 */
import { FaultlineError } from '../../protocol/errors.js';

/** Most items per commit by default. */
export const DEFAULT_MAX_BATCH = 1000;

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  private stopped = false;

  /** `commit` gets a batch and returns one result per item, in order, or throws. */
  constructor(private readonly commit: (items: T[]) => R[], private readonly maxBatch = DEFAULT_MAX_BATCH) {}

  submit(item: T): Promise<R> {
    if (this.stopped) {
      return Promise.reject(new FaultlineError('FL_ERR_INGEST_STOPPED', 'ingest is stopped; the message was not stored'));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduled ??= setImmediate(this.commitNext);
    });
  }

  /** Commits one batch, and comes back next turn for the rest. */
  private readonly commitNext = (): void => {
    this.scheduled = undefined;
    if (this.queue.length === 0) return;
    this.commitBatch(this.queue.length <= this.maxBatch ? this.queue.splice(0) : this.queue.splice(0, this.maxBatch));
    if (this.queue.length > 0) this.scheduled ??= setImmediate(this.commitNext);
  };

  /** Number of items waiting for the next commit. */
  get depth(): number {
    return this.queue.length;
  }

  /** Commits everything queued now. */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    while (this.queue.length > 0) this.commitBatch(this.queue.splice(0, this.maxBatch));
  }

  /** Commits what is queued, then refuses new items. */
  stop(): void {
    this.flush();
    this.stopped = true;
  }

  private commitBatch(batch: Array<Pending<T, R>>): void {
    let results: R[];
    try {
      results = this.commit(batch.map((p) => p.item));
    } catch (err) {
      if (batch.length === 1) batch[0]?.reject(err);
      else for (const p of batch) this.commitBatch([p]);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r === undefined) p.reject(new FaultlineError('FL_ERR_INTERNAL', `commit returned ${results.length} results for ${batch.length} items`));
      else p.resolve(r);
    });
  }
}
