/**
 * The collector's audit checkpointer: every `everyMs` (default 5 s, and once on stop) it reads the
 * audit chain's head and, when it moved since the last checkpoint, appends a signed checkpoint to
 * the checkpoint file (checkpoint-file.ts), then hands it to each sink (a syslog server, the
 * webhook outbox), so copies live where whoever can rewrite this host cannot reach them. Rows
 * written after the newest checkpoint (at most `everyMs` of them) are what a cut could take
 * unnoticed. A failure is logged, counted and tried again at the next tick (a sink that missed the
 * newest checkpoint gets it again, or the next one: each anchors everything before it); it never stops the desk.
 */
import { join } from 'node:path';
import type { Logger } from '../../protocol/logger.js';
import { loadOrCreateKeyFile } from '../security/key-file.js';
import type { AuditPort } from '../store/port.js';
import { appendCheckpoint, CHECKPOINT_FILE, CHECKPOINT_KEY_FILE, signCheckpoint, type Checkpoint } from './checkpoint-file.js';

export const DEFAULT_CHECKPOINT_EVERY_MS = 5_000;

/** Somewhere a checkpoint is sent besides the file; a rejection is logged and counted. */
export interface CheckpointSink {
  name: string;
  send(cp: Checkpoint): Promise<unknown>;
  /** Closes what the sink holds open (after the last checkpoint on stop). */
  stop?(): void;
}

export interface CheckpointerStats {
  written: number;
  failed: number;
  /** Per sink: checkpoints sent and sends that failed. */
  sinks: Record<string, { sent: number; failed: number }>;
}

export interface CheckpointerOptions {
  audit: Pick<AuditPort, 'head'>;
  /** The data directory: the key file lives here, and the checkpoint file unless `file` is given. */
  dataDir: string;
  /** Where checkpoints are appended (default <dataDir>/audit-checkpoints.jsonl). */
  file?: string | undefined;
  everyMs?: number | undefined;
  /** Where each checkpoint also goes (after the file). */
  sinks?: readonly CheckpointSink[] | undefined;
  now: () => number;
  log: Logger;
}

export class AuditCheckpointer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastSeq: number | null = null;
  private running: Promise<Checkpoint | null> = Promise.resolve(null);
  readonly file: string;
  private key: Buffer | undefined;
  private readonly counts: CheckpointerStats = { written: 0, failed: 0, sinks: {} };
  /** Per sink, the newest checkpoint it has not got yet. */
  private readonly unsent = new Map<string, Checkpoint>();

  constructor(private readonly opts: CheckpointerOptions) {
    this.file = opts.file ?? join(opts.dataDir, CHECKPOINT_FILE);
    for (const sink of opts.sinks ?? []) this.counts.sinks[sink.name] = { sent: 0, failed: 0 };
  }

  stats(): CheckpointerStats {
    return { ...this.counts, sinks: Object.fromEntries(Object.entries(this.counts.sinks).map(([k, v]) => [k, { ...v }])) };
  }

  start(): void {
    this.key = loadOrCreateKeyFile(this.opts.dataDir, CHECKPOINT_KEY_FILE);
    const every = this.opts.everyMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    this.timer = setInterval(() => { void this.checkpoint(); }, every);
    this.timer.unref();
  }

  /** Writes a checkpoint now when the head moved; resolves with it (null: nothing new, or it failed and was logged). */
  checkpoint(): Promise<Checkpoint | null> {
    const next = this.running.then(() => this.write()).catch((err: unknown) => {
      this.counts.failed++;
      this.opts.log.error({ err, file: this.file }, 'audit checkpoint failed; trying again at the next tick');
      return null;
    });
    this.running = next;
    return next;
  }

  /** Stops the timer, writes a last checkpoint (and sends it), and closes the sinks. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.key) await this.checkpoint();
    for (const sink of this.opts.sinks ?? []) sink.stop?.();
  }

  private async write(): Promise<Checkpoint | null> {
    const key = this.key ?? loadOrCreateKeyFile(this.opts.dataDir, CHECKPOINT_KEY_FILE);
    this.key = key;
    const head = await this.opts.audit.head();
    if (!head || head.seq === this.lastSeq) {
      await this.retryUnsent();
      return null;
    }
    const cp = signCheckpoint(key, head, this.opts.now());
    appendCheckpoint(this.file, cp);
    this.lastSeq = head.seq;
    this.counts.written++;
    await Promise.all((this.opts.sinks ?? []).map((sink) => this.sendTo(sink, cp)));
    return cp;
  }

  /** The newest checkpoint again to the sinks that missed it (the head has not moved since). */
  private async retryUnsent(): Promise<void> {
    await Promise.all((this.opts.sinks ?? []).map(async (sink) => {
      const cp = this.unsent.get(sink.name);
      if (cp) await this.sendTo(sink, cp);
    }));
  }

  private async sendTo(sink: CheckpointSink, cp: Checkpoint): Promise<void> {
    const n = this.counts.sinks[sink.name];
    try {
      await sink.send(cp);
      if (this.unsent.delete(sink.name)) this.opts.log.info({ sink: sink.name, seq: cp.seq }, 'audit checkpoints are sent again');
      if (n) n.sent++;
    } catch (err) {
      // Said once per spell, not every tick while the sink is down (the counts go on).
      if (!this.unsent.has(sink.name)) this.opts.log.warn({ err, sink: sink.name, seq: cp.seq }, 'audit checkpoint not sent; trying again every tick');
      this.unsent.set(sink.name, cp);
      if (n) n.failed++;
    }
  }
}
