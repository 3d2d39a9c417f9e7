/**
 * The file side of the tailer: follows one path across rotations and truncations, one poll at a
 * time, and hands complete lines over with their end positions. Scheduling, fs.watch and the
 * persisted position live in log-tailer.ts (see there for the guarantees).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../protocol/logger.js';
import { errorCode, errorMessage } from '../../protocol/errors.js';
import { LineSplitter } from './line-splitter.js';
import { fileIdOf, findFileById, readRange } from './rotated-file.js';
import { sameFile, type FileId, type PositionStore, type TailPosition, type TailState } from './tail-state.js';

export interface TailBatch {
  /** The file the lines came from (the tailed path, or a rotated file read at startup). */
  path: string;
  file: FileId;
  lines: string[];
  ends: number[];
}

export interface TailerCounters {
  polls: number;
  bytesRead: number;
  linesRead: number;
  truncatedLines: number;
  rotations: number;
  truncations: number;
  /** Times the file was found missing (once per absence). */
  missing: number;
  /** A rotated file that could not be found at startup: its unread rest is lost. */
  lostRotations: number;
  readErrors: number;
  stateErrors: number;
}

export interface FileFollowerOptions {
  path: string;
  log: Logger;
  store: PositionStore;
  counters: TailerCounters;
  onLines: (batch: TailBatch) => void | Promise<void>;
  rotateGraceMs: number;
  maxLineBytes: number;
  chunkBytes: number;
  maxBytesPerPoll: number;
  startAt: 'end' | 'beginning';
  now: () => number;
  stopped: () => boolean;
}

interface OpenFile {
  fh: FileHandle;
  id: FileId;
  offset: number;
}

const isMissing = (err: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export class FileFollower {
  private readonly splitter: LineSplitter;
  private readonly buf: Buffer;
  private readonly c: TailerCounters;
  private current: OpenFile | null = null;
  /** A position to resume at the next open (from the state file, or after a read error). */
  private saved: TailState | undefined;
  private firstPollDone = false;
  private retired: { id: FileId; size: number } | undefined;
  private rotationSeenMs: number | undefined;
  private missingNoted = false;
  private lastErrorCode = '';

  constructor(private readonly o: FileFollowerOptions) {
    this.c = o.counters;
    this.splitter = new LineSplitter(o.maxLineBytes);
    this.buf = Buffer.allocUnsafe(o.chunkBytes);
  }

  get truncatedLines(): number {
    return this.splitter.truncated;
  }

  /** Where to resume (the persisted state), before the first poll. */
  resumeFrom(saved: TailState | undefined): void {
    this.saved = saved;
  }

  /** A committed position, moved on to the start of the current file when it is the end of a rotated-away one. */
  commitTarget(pos: TailPosition): TailPosition {
    const r = this.retired;
    return r && this.current && sameFile(pos.file, r.id) && pos.offset >= r.size ? { file: this.current.id, offset: 0 } : pos;
  }

  async close(): Promise<void> {
    const f = this.current;
    this.current = null;
    await f?.fh.close().catch(() => undefined);
  }

  /** One poll: open or reopen, read what is new, handle rotation. Returns when to poll next if sooner than usual (0: at once). Never throws. */
  async poll(): Promise<number | undefined> {
    try {
      if (!this.current) await this.openCurrent();
      if (!this.current) return undefined;
      if (await this.drain(this.current)) return 0;
      const next = await this.checkRotation(this.current);
      this.lastErrorCode = '';
      return next;
    } catch (err) {
      this.c.readErrors++;
      const code = (err as NodeJS.ErrnoException).code ?? errorCode(err);
      if (code !== this.lastErrorCode) this.o.log.warn({ code, err: errorMessage(err), path: this.o.path }, 'cannot read the log file; retrying');
      this.lastErrorCode = code;
      // Reopen on the next poll and resume after the last whole line read; the saved-position path
      // also notices a rotation or truncation that happened meanwhile.
      const f = this.current;
      if (f) {
        this.saved ??= { version: 1, path: this.o.path, ...f.id, offset: f.offset - this.splitter.pendingBytes, updatedMs: 0 };
        this.current = null;
        await f.fh.close().catch(() => undefined);
      }
      this.splitter.reset();
      return undefined;
    }
  }

  private async openCurrent(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.o.path, 'r');
    } catch (err) {
      if (!isMissing(err)) throw err;
      this.firstPollDone = true; // a file that appears later is new: read it from 0
      if (!this.missingNoted) {
        this.c.missing++;
        this.missingNoted = true;
        this.o.log.warn({ path: this.o.path }, 'log file does not exist (yet); waiting for it');
      }
      return;
    }
    const saved = this.saved;
    let retry = saved; // what the next attempt resumes from if this one fails
    try {
      const st = await fh.stat({ bigint: true });
      const id = fileIdOf(st);
      const size = Number(st.size);
      if (this.missingNoted) this.o.log.info({ path: this.o.path }, 'log file appeared');
      this.missingNoted = false;
      this.saved = undefined;
      let offset = 0;
      let rebase = !this.o.store.committed;
      if (saved && sameFile(saved, id)) {
        offset = saved.offset <= size ? saved.offset : 0;
        if (saved.offset > size) {
          this.c.truncations++;
          rebase = true;
          this.o.log.info({ path: this.o.path, saved: saved.offset, size }, 'log file was truncated while it was not followed; reading from its start');
        }
      } else if (saved) {
        this.retired = undefined;
        await this.drainRotatedAway(saved);
        retry = undefined; // the rotated file is read: not again
        rebase ||= !this.retired;
      } else if (!this.firstPollDone && this.o.startAt === 'end') {
        offset = size;
      }
      this.firstPollDone = true;
      const c = this.o.store.committed;
      if (c && this.retired && sameFile(c.file, this.retired.id) && c.offset >= this.retired.size) rebase = true;
      this.current = { fh, id, offset };
      this.splitter.reset();
      if (rebase) this.o.store.commit({ file: id, offset }, true);
    } catch (err) {
      this.saved ??= retry;
      this.current = null;
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Reads up to the size seen now, at most maxBytesPerPoll. True when more is waiting. */
  private async drain(f: OpenFile): Promise<boolean> {
    const size = Number((await f.fh.stat({ bigint: true })).size);
    if (size < f.offset) {
      this.c.truncations++;
      this.o.log.info({ path: this.o.path, offset: f.offset, size }, 'log file truncated (copytruncate?); reading from its start');
      await this.deliverPartial(this.o.path, f.id, 0);
      f.offset = 0;
    }
    const to = Math.min(size, f.offset + this.o.maxBytesPerPoll);
    f.offset = await readRange(f.fh, f.offset, to, this.buf, this.splitter, (out, bytes) => {
      this.c.bytesRead += bytes;
      return this.deliver({ path: this.o.path, file: f.id, ...out });
    }, this.o.stopped);
    return f.offset < size && !this.o.stopped();
  }

  /** After a rename (or deletion), keep reading the old file for rotateGraceMs, then switch to the new one. */
  private async checkRotation(f: OpenFile): Promise<number | undefined> {
    const st = await stat(this.o.path, { bigint: true }).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (st && sameFile(fileIdOf(st), f.id)) {
      this.rotationSeenMs = undefined;
      return undefined;
    }
    const now = this.o.now();
    if (this.rotationSeenMs === undefined) {
      this.rotationSeenMs = now;
      return this.o.rotateGraceMs;
    }
    if (now - this.rotationSeenMs < this.o.rotateGraceMs) return undefined;
    this.rotationSeenMs = undefined;
    await this.deliverPartial(this.o.path, f.id, f.offset);
    this.retired = { id: f.id, size: f.offset };
    this.current = null;
    await f.fh.close();
    this.c.rotations++;
    this.o.log.info({ path: this.o.path, readBytes: f.offset }, 'log file rotated; read the old file to its end, now following the new one');
    return 0;
  }

  /** Startup: the path has another inode than the saved one. Read the rest of the saved file if it is still in the directory. */
  private async drainRotatedAway(saved: TailState): Promise<void> {
    const id = { dev: saved.dev, ino: saved.ino };
    const found = await findFileById(dirname(this.o.path), id);
    if (!found) {
      this.c.lostRotations++;
      this.o.log.warn({ path: this.o.path, savedOffset: saved.offset }, 'log file was rotated while it was not followed and the old file is gone; lines written to it after the saved offset are not read');
      return;
    }
    const fh = await open(found.path, 'r');
    try {
      this.splitter.reset();
      const from = found.size >= saved.offset ? saved.offset : 0;
      const end = await readRange(fh, from, found.size, this.buf, this.splitter, (out, bytes) => {
        this.c.bytesRead += bytes;
        return this.deliver({ path: found.path, file: id, ...out });
      });
      await this.deliverPartial(found.path, id, end);
      this.retired = { id, size: end };
      this.c.rotations++;
      this.o.log.info({ path: this.o.path, rotatedTo: found.path, from }, 'log file was rotated while it was not followed; read the rest of the old file');
    } finally {
      await fh.close();
    }
  }

  private async deliverPartial(path: string, file: FileId, end: number): Promise<void> {
    const line = this.splitter.takePartial();
    if (line !== undefined) await this.deliver({ path, file, lines: [line], ends: [end] });
  }

  private async deliver(batch: TailBatch): Promise<void> {
    if (batch.lines.length === 0) return;
    this.c.linesRead += batch.lines.length;
    try {
      await this.o.onLines(batch);
    } catch (err) {
      this.o.log.error({ code: errorCode(err), err: errorMessage(err), path: batch.path }, 'the log line consumer failed');
    }
  }
}
