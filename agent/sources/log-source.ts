/**
 * One watched log file, end to end: tailer → line hygiene → multi-line assembly → parser →
 * adapter log patterns → log fault state. Emits parsed records and fault transitions (each raise
 * with the log lines leading up to it), commits the file position once they are handed over, and
 * persists the active log faults with that position so a restart neither re-raises nor forgets
 * them. Bad lines are counted and noted in the log (rate-limited), never fatal.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Logger } from '../../protocol/logger.js';
import type { LogPattern } from '../../firmware-adapters/schema.js';
import { errorCode, errorMessage } from '../../protocol/errors.js';
import { initialLogFaultState, LogMatcher, restoreLogFaultState, stepLogFaults, type LogFaultState, type LogFaultTransition } from '../core/log-matcher.js';
import { classifyLine, createParser, MultilineAssembler, plainRecord, type LogFormat, type LogParser, type ParsedLogRecord } from '../core/log-parsers/index.js';
import type { JsonLinesOptions } from '../core/log-parsers/json-lines.js';
import { compileLinePattern } from '../core/log-parsers/regex-line.js';
import { RecentLines } from '../core/recent-lines.js';
import { LogTailer, type TailBatch, type TailerCounters, type TailPosition } from './log-tailer.js';

export interface LogFileConfig {
  path: string;
  format: LogFormat;
  /** For format 'regex': the line pattern, named groups time/host/app/pid/severity/message. */
  pattern?: string;
  /** false: every line is a record. Default: on (stack-trace continuation rules), except for 'jsonl'. */
  multiline?: false | { startPattern?: string; continuationPattern?: string; flushMs?: number; maxLines?: number };
  json?: JsonLinesOptions;
  /** Default 16384. */
  maxLineBytes?: number;
  /** A file found at the very first start: follow from its end (default) or read it from the beginning. */
  startAt?: 'end' | 'beginning';
  /** How zone-less syslog times are read. Default 'local'. */
  zone?: 'local' | 'utc';
}

export interface LogSourceCounters extends Omit<TailerCounters, 'linesRead' | 'truncatedLines'> {
  linesRead: number;
  recordsParsed: number;
  parseErrors: number;
  binarySkipped: number;
  /** Kept with U+FFFD in place of invalid UTF-8. */
  replacedLines: number;
  /** Lines cut to maxLineBytes. */
  truncated: number;
  /** Multi-line records split at maxLines. */
  multilineSplits: number;
  matches: number;
  raised: number;
  cleared: number;
}

export type LogEmit = (records: ParsedLogRecord[], transitions: LogFaultTransition[]) => void;

export interface LogSourceOptions {
  file: LogFileConfig;
  patterns: readonly LogPattern[];
  /** Where this file's position and active log faults are kept (see logStatePath). */
  statePath: string;
  log: Logger;
  onEmit: LogEmit;
  /** Lines attached to a raise (the matching record's lines and those before it). Default 20. */
  excerptLines?: number;
  /** Lines kept for recentLines(). Default 200 (at least excerptLines). */
  keepLines?: number;
  pollIntervalMs?: number;
  persistIntervalMs?: number;
  watch?: boolean;
  /** Read time of records, multi-line flush and clear-after-quiet (the file polling runs on real time). */
  now?: () => number;
}

/** A stable per-file state path under the agent's state directory. */
export function logStatePath(stateDir: string, logPath: string): string {
  const hash = createHash('sha256').update(logPath).digest('hex').slice(0, 12);
  return join(stateDir, 'log-offsets', `${basename(logPath).replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}.json`);
}

/** Logs the first occurrence of a kind of bad input at once, then at most one summary a minute. */
class Note {
  private lastMs = -Infinity;
  private since = 0;
  constructor(private readonly log: Logger, private readonly msg: string) {}
  add(nowMs: number, detail: Record<string, unknown>): void {
    this.since++;
    if (nowMs - this.lastMs < 60_000) return;
    this.log.warn({ ...detail, count: this.since }, this.msg);
    this.lastMs = nowMs;
    this.since = 0;
  }
}

export class LogSource {
  private readonly parser: LogParser;
  private readonly matcher: LogMatcher;
  private readonly assembler: MultilineAssembler<TailPosition> | undefined;
  private readonly ring: RecentLines;
  private readonly tailer: LogTailer;
  private readonly now: () => number;
  private readonly excerptLines: number;
  private readonly tickMs: number;
  private readonly parseNote: Note;
  private readonly binaryNote: Note;
  private faults: LogFaultState = initialLogFaultState();
  private timer: NodeJS.Timeout | null = null;
  private readonly c = { linesRead: 0, recordsParsed: 0, parseErrors: 0, binarySkipped: 0, replacedLines: 0, matches: 0, raised: 0, cleared: 0 };
  private out: { records: ParsedLogRecord[]; transitions: LogFaultTransition[]; commit: TailPosition | undefined } = { records: [], transitions: [], commit: undefined };

  /** Throws FL_ERR_LOG_CONFIG / FL_ERR_LOG_PATTERN for an unusable format, pattern or multiline rule. */
  constructor(private readonly o: LogSourceOptions) {
    const f = o.file;
    this.now = o.now ?? Date.now;
    this.parser = createParser({ format: f.format, json: f.json, pattern: f.pattern, zone: f.zone });
    this.matcher = new LogMatcher(o.patterns);
    const ml = f.multiline ?? (f.format === 'jsonl' ? false : {});
    this.assembler = ml === false ? undefined : new MultilineAssembler<TailPosition>({
      startPattern: ml.startPattern === undefined ? undefined : compileLinePattern(ml.startPattern, 'multiline.startPattern'),
      continuationPattern: ml.continuationPattern === undefined ? undefined : compileLinePattern(ml.continuationPattern, 'multiline.continuationPattern'),
      flushMs: ml.flushMs, maxLines: ml.maxLines,
    });
    this.excerptLines = o.excerptLines ?? 20;
    this.ring = new RecentLines(Math.max(o.keepLines ?? 200, this.excerptLines, 1));
    const pollIntervalMs = o.pollIntervalMs ?? 500;
    this.tickMs = Math.max(10, Math.min(pollIntervalMs, this.assembler?.flushMs ?? pollIntervalMs));
    const log = o.log.child({ part: 'logs', path: f.path });
    this.parseNote = new Note(log, `log lines not in ${f.format} format (kept as plain text)`);
    this.binaryNote = new Note(log, 'binary or non-text log lines skipped');
    this.tailer = new LogTailer({
      path: f.path, statePath: o.statePath, log, maxLineBytes: f.maxLineBytes, startAt: f.startAt, pollIntervalMs,
      persistIntervalMs: o.persistIntervalMs, watch: o.watch, // real time: the rotation grace is for real writers
      onLines: (batch) => this.onLines(batch),
      stateExtra: () => ({ logFaults: this.faults.active }),
      onStateRestored: (extra) => { this.faults = restoreLogFaultState((extra as { logFaults?: unknown } | undefined)?.logFaults); },
    });
  }

  async start(): Promise<void> {
    await this.tailer.start();
    this.schedule();
  }

  /** Hands out the pending multi-line record, commits and persists. Active log faults stay active (they are persisted). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tailer.stop();
    const rec = this.assembler?.flush();
    if (rec) this.handle(rec.text, rec.end, this.now());
    this.emit();
    await this.tailer.flushState();
  }

  counters(): LogSourceCounters {
    const { linesRead: _tailed, truncatedLines, ...t } = this.tailer.counters();
    return { ...t, ...this.c, truncated: truncatedLines, multilineSplits: this.assembler?.splits ?? 0 };
  }

  /** The last `n` lines of this file (oldest first), e.g. for an engineer's "last N log lines" request. */
  recentLines(n: number): string[] {
    return this.ring.last(n);
  }

  /** Active log faults (for status and tests). */
  activeFaults(): string[] {
    return Object.keys(this.faults.active);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, this.tickMs);
  }

  /** Time-driven work: a multi-line record whose flush time passed, and clears after quiet. */
  private tick(): void {
    const now = this.now();
    const rec = this.assembler?.due(now);
    if (rec) this.handle(rec.text, rec.end, now);
    this.step([], now);
    this.emit();
  }

  private onLines(batch: TailBatch): void {
    const now = this.now();
    for (let i = 0; i < batch.lines.length; i++) {
      const line = batch.lines[i]!;
      const end: TailPosition = { file: batch.file, offset: batch.ends[i]! };
      this.c.linesRead++;
      const kind = line.length === 0 ? 'empty' : classifyLine(line);
      if (kind === 'binary' || kind === 'empty') {
        if (kind === 'binary') {
          this.c.binarySkipped++;
          this.binaryNote.add(now, { file: batch.path, offset: batch.ends[i], preview: JSON.stringify(line.slice(0, 80)) });
        }
        const done = this.assembler ? this.assembler.skip(end) : end;
        if (done) this.out.commit = done;
        continue;
      }
      if (kind === 'replaced') this.c.replacedLines++;
      if (!this.assembler) { this.handle(line, end, now); continue; }
      const rec = this.assembler.push(line, end, now);
      if (rec) this.handle(rec.text, rec.end, now);
    }
    this.emit();
  }

  private handle(text: string, end: TailPosition, now: number): void {
    const r = this.parser(text, now);
    let record: ParsedLogRecord;
    if (r.ok) {
      this.c.recordsParsed++;
      record = r.record;
    } else {
      this.c.parseErrors++;
      this.parseNote.add(now, { offset: end.offset, reason: r.reason, line: text.slice(0, 200) });
      record = plainRecord(text, now);
    }
    this.ring.pushText(text);
    this.out.records.push(record);
    this.out.commit = end;
    const m = this.matcher.match(record);
    if (!m) return;
    this.c.matches++;
    this.step([m], now);
  }

  private step(matches: Parameters<typeof stepLogFaults>[1], now: number): void {
    if (matches.length === 0 && Object.keys(this.faults.active).length === 0) return;
    const s = stepLogFaults(this.faults, matches, now);
    this.faults = s.state;
    for (const t of s.transitions) {
      const labels = { ...t.labels, file: this.o.file.path };
      if (t.transition === 'raise') this.c.raised++; else this.c.cleared++;
      this.out.transitions.push({ ...t, labels, excerpt: t.transition === 'raise' ? this.ring.last(this.excerptLines) : [] });
    }
  }

  /** Hands records and transitions over, then commits the position they reach. */
  private emit(): void {
    const { records, transitions, commit } = this.out;
    this.out = { records: [], transitions: [], commit: undefined };
    if (records.length > 0 || transitions.length > 0) {
      try {
        this.o.onEmit(records, transitions);
      } catch (err) {
        this.o.log.error({ code: errorCode(err), err: errorMessage(err), path: this.o.file.path }, 'log record consumer failed');
      }
    }
    if (commit) this.tailer.commit(commit);
    else if (transitions.length > 0) void this.tailer.flushState(); // a clear changes the persisted fault state
  }
}
