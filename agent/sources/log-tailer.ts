/**
 * Follows one log file like `tail -F`, from a persisted position, and hands its lines over in
 * order with the file position after each line. The consumer commits positions once it has
 * dealt with the lines; the tailer persists the last committed position (atomically, at most
 * every `persistIntervalMs`, and on stop).
 *
 * What it survives:
 *  - rotation by rename (logrotate `create`): the path gets a new inode. The old file stays open
 *    and is read for `rotateGraceMs` more after the rename is noticed (writers that still hold it
 *    finish their last lines); then an unterminated last line is handed over as a line and the
 *    new file is read from offset 0. (A writer that keeps writing to the renamed file after that,
 *    because nobody told it to reopen its log, is not followed: that is a logrotate config bug.)
 *  - truncation in place (logrotate `copytruncate`): size < read position → read from 0 (seen
 *    as long as the file has not grown past the old position again by the next poll; fs.watch
 *    makes that poll come within milliseconds);
 *  - agent restarts: the persisted (device, inode, offset) is resumed. If the path has another
 *    inode by then, the file with the saved inode is looked for in the same directory (app.log.1,
 *    app.log-20250101, …), its rest is read first, then the new file from 0;
 *  - a missing file (or directory): waited for, counted, logged once per absence;
 *  - binary files and endless lines: lines are cut at `maxLineBytes` (counted).
 *
 * Delivery guarantee: a position is persisted only after the consumer committed it, so no line
 * is ever skipped (except lines written to a rotated file that is deleted or compressed before
 * the agent reads it, and lines a `copytruncate` rotation loses by itself). After a clean stop,
 * no line is handed over twice. After a crash or power loss, the lines handed over since the
 * last persisted position (at most `persistIntervalMs` worth; 0 = after every commit) are
 * handed over again: at-least-once.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../protocol/logger.js';
import { errorCode, errorMessage, FaultlineError } from '../../protocol/errors.js';
import { FileFollower, type TailBatch, type TailerCounters } from './file-follower.js';
import { ensureStateDir, PositionStore, readTailState, type TailPosition, type TailState } from './tail-state.js';

export type { TailBatch, TailerCounters } from './file-follower.js';
export type { FileId, TailPosition } from './tail-state.js';

export interface LogTailerOptions {
  path: string;
  /** Where the position is persisted (one state file per tailed path). */
  statePath: string;
  log: Logger;
  onLines: (batch: TailBatch) => void | Promise<void>;
  /** Default 500 ms. */
  pollIntervalMs?: number;
  /** Default: pollIntervalMs. */
  rotateGraceMs?: number;
  /** Default 1000 ms; 0 persists after every commit. */
  persistIntervalMs?: number;
  /** Default 16 KiB. */
  maxLineBytes?: number;
  /** Read size. Default 64 KiB. */
  chunkBytes?: number;
  /** Read at most this much per poll before yielding to the event loop. Default 1 MiB. */
  maxBytesPerPoll?: number;
  /** A file found at the very first start, with no saved position: read from its end (default) or beginning. */
  startAt?: 'end' | 'beginning';
  /** Use fs.watch on the directory to notice changes sooner than the next poll. Default true. */
  watch?: boolean;
  /** Consumer state stored in the same state file (e.g. active log faults)... */
  stateExtra?: () => unknown;
  /** ...and handed back at start(), before the first line (undefined when there was none). */
  onStateRestored?: (extra: unknown) => void;
  now?: () => number;
}

export class LogTailer {
  private readonly o: Required<Omit<LogTailerOptions, 'stateExtra' | 'onStateRestored'>>;
  private readonly onStateRestored: ((extra: unknown) => void) | undefined;
  private readonly store: PositionStore;
  private readonly follower: FileFollower;
  private readonly c: TailerCounters = { polls: 0, bytesRead: 0, linesRead: 0, truncatedLines: 0, rotations: 0, truncations: 0, missing: 0, lostRotations: 0, readErrors: 0, stateErrors: 0 };
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<number | undefined> | null = null;
  private again = false;
  private watcher: FSWatcher | null = null;
  private stopped = true;

  constructor(opts: LogTailerOptions) {
    const pollIntervalMs = opts.pollIntervalMs ?? 500;
    this.o = {
      pollIntervalMs, rotateGraceMs: opts.rotateGraceMs ?? pollIntervalMs, persistIntervalMs: opts.persistIntervalMs ?? 1000,
      maxLineBytes: opts.maxLineBytes ?? 16_384, chunkBytes: opts.chunkBytes ?? 65_536, maxBytesPerPoll: opts.maxBytesPerPoll ?? 1 << 20,
      startAt: opts.startAt ?? 'end', watch: opts.watch ?? true, now: opts.now ?? Date.now,
      path: opts.path, statePath: opts.statePath, log: opts.log, onLines: opts.onLines,
    };
    this.onStateRestored = opts.onStateRestored;
    this.store = new PositionStore({
      statePath: opts.statePath, logPath: opts.path, intervalMs: this.o.persistIntervalMs, extra: opts.stateExtra, now: this.o.now,
      onError: (err) => {
        this.c.stateErrors++;
        this.o.log.warn({ err: errorMessage(err), statePath: opts.statePath }, 'cannot persist the log offset; retrying on the next commit');
      },
    });
    this.follower = new FileFollower({
      path: opts.path, log: opts.log, store: this.store, counters: this.c, onLines: opts.onLines,
      rotateGraceMs: this.o.rotateGraceMs, maxLineBytes: this.o.maxLineBytes, chunkBytes: this.o.chunkBytes,
      maxBytesPerPoll: this.o.maxBytesPerPoll, startAt: this.o.startAt, now: this.o.now, stopped: () => this.stopped,
    });
  }

  counters(): TailerCounters {
    return { ...this.c, truncatedLines: this.follower.truncatedLines };
  }

  /** Reads the saved position and makes the first poll (so lines written after start() resolves are never "before the start"). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    try {
      await ensureStateDir(this.o.statePath);
    } catch (cause) {
      this.stopped = true;
      throw new FaultlineError('FL_ERR_LOG_STATE', `cannot create the directory of the log offset state ${this.o.statePath}: ${(cause as Error).message}`, {
        cause, context: { statePath: this.o.statePath, path: this.o.path }, hint: 'point the agent\'s state directory at a writable place',
      });
    }
    let saved: TailState | undefined;
    try {
      saved = await readTailState(this.o.statePath, this.o.path);
      if (saved) this.store.committed = { file: { dev: saved.dev, ino: saved.ino }, offset: saved.offset };
    } catch (err) {
      this.c.stateErrors++;
      this.o.log.warn({ code: errorCode(err), err: errorMessage(err), path: this.o.path }, 'log offset state unusable');
    }
    this.follower.resumeFrom(saved);
    this.onStateRestored?.(saved?.extra);
    this.startWatch();
    await this.runPoll();
  }

  /** Stops polling and closes the file; the committed position is persisted. commit()/flushState() still work afterwards. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.polling;
    await this.follower.close();
    await this.store.flush();
  }

  /** The consumer is done with every line up to `pos` (positions come from TailBatch.ends, in order). */
  commit(pos: TailPosition): void {
    this.store.commit(this.follower.commitTarget(pos), this.stopped);
  }

  /** Writes the committed position now. */
  flushState(): Promise<void> {
    return this.store.flush();
  }

  /** Polls now instead of waiting for the timer (the fs.watch accelerator calls this). */
  kick(): void {
    if (this.stopped) return;
    if (this.polling) { this.again = true; return; }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => { this.pollTimer = null; void this.runPoll(); }, ms);
  }

  private async runPoll(): Promise<void> {
    if (this.polling) { this.again = true; return; }
    this.polling = this.poll();
    const soon = await this.polling;
    this.polling = null;
    const again = this.again;
    this.again = false;
    this.schedule(again ? 0 : Math.min(soon ?? this.o.pollIntervalMs, this.o.pollIntervalMs));
  }

  private async poll(): Promise<number | undefined> {
    this.c.polls++;
    if (!this.watcher) this.startWatch();
    return this.follower.poll();
  }

  private startWatch(): void {
    if (!this.o.watch || this.stopped) return;
    const base = basename(this.o.path);
    try {
      this.watcher = watch(dirname(this.o.path), { persistent: false }, (_event, name) => {
        if (name === null || name === base) this.kick();
      });
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = null; });
    } catch {
      this.watcher = null; // the directory is missing or cannot be watched: polling alone does the job
    }
  }
}
