/**
 * Joins the lines of one log record (a stack trace, a wrapped message) so that it is parsed,
 * matched and attached to an event whole. Pure: time comes in, nothing runs on its own.
 *
 * A line either starts a new record or continues the pending one:
 *  - with `startPattern`: a line matching it starts a record, any other continues;
 *  - else a line matching `continuationPattern` (default: leading whitespace, `at `,
 *    `Caused by:`, `...`) continues, any other starts.
 * The pending record is handed out when the next record starts, when `flush()`/`due()` says so
 * (no new line for `flushMs`), or when it reaches `maxLines`/`maxChars` (it is then split and the
 * split counted, so one endless "record" can neither hold memory nor stall the stream).
 *
 * Every line carries an opaque marker `M` (the tailer's file position after it); a record's
 * `end` is the marker of the last line it consumed, so a caller that commits `end` after handing
 * the record over never commits a line that is still pending.
 */

export const DEFAULT_CONTINUATION = /^(?:[ \t]|at |Caused by:|\.\.\.)/;

export interface MultilineOptions {
  startPattern?: RegExp;
  continuationPattern?: RegExp;
  /** Hand out a pending record after this long without a new line. Default 1000 ms. */
  flushMs?: number;
  /** Default 500 lines. */
  maxLines?: number;
  /** Default 65,536 characters. */
  maxChars?: number;
}

export interface AssembledRecord<M> {
  text: string;
  lines: number;
  end: M;
}

export class MultilineAssembler<M> {
  private readonly start: RegExp | undefined;
  private readonly continuation: RegExp;
  readonly flushMs: number;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private parts: string[] = [];
  private chars = 0;
  private lastMs = 0;
  private end: M | undefined;
  /** Records split because they reached maxLines or maxChars. */
  splits = 0;

  constructor(opts: MultilineOptions = {}) {
    this.start = opts.startPattern;
    this.continuation = opts.continuationPattern ?? DEFAULT_CONTINUATION;
    this.flushMs = opts.flushMs ?? 1000;
    this.maxLines = opts.maxLines ?? 500;
    this.maxChars = opts.maxChars ?? 65_536;
  }

  get pending(): boolean {
    return this.parts.length > 0;
  }

  /** Adds a line; returns the previous record when this line starts a new one. */
  push(line: string, end: M, nowMs: number): AssembledRecord<M> | undefined {
    let out: AssembledRecord<M> | undefined;
    if (this.parts.length > 0) {
      const continues = this.start ? !this.start.test(line) : this.continuation.test(line);
      if (!continues) {
        out = this.take();
      } else if (this.parts.length >= this.maxLines || this.chars + line.length + 1 > this.maxChars) {
        this.splits++;
        out = this.take();
      }
    }
    this.parts.push(line);
    this.chars += line.length + 1;
    this.lastMs = nowMs;
    this.end = end;
    return out;
  }

  /**
   * A line that was read but is not part of any record (skipped as binary, empty). Returns the
   * marker when nothing is pending (the caller may commit it now); otherwise the pending
   * record's end moves past it and it is committed with that record.
   */
  skip(end: M): M | undefined {
    if (this.parts.length === 0) return end;
    this.end = end;
    return undefined;
  }

  /** The pending record if no line arrived for flushMs. */
  due(nowMs: number): AssembledRecord<M> | undefined {
    return this.parts.length > 0 && nowMs - this.lastMs >= this.flushMs ? this.take() : undefined;
  }

  /** When due() will hand out the pending record, if any. */
  nextDueMs(): number | undefined {
    return this.parts.length > 0 ? this.lastMs + this.flushMs : undefined;
  }

  /** The pending record now (end of input, shutdown). */
  flush(): AssembledRecord<M> | undefined {
    return this.parts.length > 0 ? this.take() : undefined;
  }

  private take(): AssembledRecord<M> {
    const parts = this.parts;
    const record: AssembledRecord<M> = { text: parts.length === 1 ? parts[0]! : parts.join('\n'), lines: parts.length, end: this.end as M };
    this.parts.length = 0;
    this.chars = 0;
    this.end = undefined;
    return record;
  }
}
