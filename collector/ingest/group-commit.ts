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
  /** The batch being committed: one at a time, in order; what arrives meanwhile forms the next batch. */
  private running: Promise<void> | null = null;
  private stopped = false;

  /** `commit` gets a batch and resolves with one result per item, in order, or rejects. */
  constructor(private readonly commit: (items: T[]) => Promise<R[]>, private readonly maxBatch = DEFAULT_MAX_BATCH) {}

  submit(item: T): Promise<R> {
    if (this.stopped) {
      return Promise.reject(new FaultlineError('FL_ERR_INGEST_STOPPED', 'ingest is stopped; the message was not stored'));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Number of items waiting for the next commit. */
  get depth(): number {
    return this.queue.length;
  }

  /** Commits everything queued now (after the batch in progress). */
  async flush(): Promise<void> {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    while (this.running !== null || this.queue.length > 0) {
      if (this.running !== null) await this.running;
      else this.start(this.take());
    }
  }

  /** Refuses new items, then commits what is queued. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.running === null) this.scheduled ??= setImmediate(this.commitNext);
  }

  /** Commits one batch; the rest waits for it to end. */
  private readonly commitNext = (): void => {
    this.scheduled = undefined;
    if (this.queue.length === 0 || this.running !== null) return;
    this.start(this.take());
  };

  private take(): Array<Pending<T, R>> {
    return this.queue.length <= this.maxBatch ? this.queue.splice(0) : this.queue.splice(0, this.maxBatch);
  }

  private start(batch: Array<Pending<T, R>>): void {
    this.running = this.commitBatch(batch).finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async commitBatch(batch: Array<Pending<T, R>>): Promise<void> {
    let results: R[];
    try {
      results = await this.commit(batch.map((p) => p.item));
    } catch (err) {
      if (batch.length === 1) batch[0]?.reject(err);
      else for (const p of batch) await this.commitBatch([p]);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r === undefined) p.reject(new FaultlineError('FL_ERR_INTERNAL', `commit returned ${results.length} results for ${batch.length} items`));
      else p.resolve(r);
    });
  }
}
