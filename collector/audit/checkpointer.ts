/**
 * The collector's audit checkpointer: every `everyMs` (and once on stop) it reads the audit chain's
 * head and, when it moved since the last checkpoint, appends a signed checkpoint to the checkpoint
 * file (checkpoint-file.ts). A failure is logged and tried again at the next tick; it never stops
 * the desk.
 */
import { join } from 'node:path';
import type { Logger } from '../../protocol/logger.js';
import { loadOrCreateKeyFile } from '../security/key-file.js';
import type { AuditPort } from '../store/port.js';
import { appendCheckpoint, CHECKPOINT_FILE, CHECKPOINT_KEY_FILE, signCheckpoint, type Checkpoint } from './checkpoint-file.js';

export const DEFAULT_CHECKPOINT_EVERY_MS = 60_000;

export interface CheckpointerOptions {
  audit: Pick<AuditPort, 'head'>;
  /** The data directory: the key file lives here, and the checkpoint file unless `file` is given. */
  dataDir: string;
  /** Where checkpoints are appended (default <dataDir>/audit-checkpoints.jsonl). */
  file?: string | undefined;
  everyMs?: number | undefined;
  now: () => number;
  log: Logger;
}

export class AuditCheckpointer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastSeq: number | null = null;
  private running: Promise<Checkpoint | null> = Promise.resolve(null);
  readonly file: string;
  private key: Buffer | undefined;

  constructor(private readonly opts: CheckpointerOptions) {
    this.file = opts.file ?? join(opts.dataDir, CHECKPOINT_FILE);
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
      this.opts.log.error({ err, file: this.file }, 'audit checkpoint failed; trying again at the next tick');
      return null;
    });
    this.running = next;
    return next;
  }

  /** Stops the timer and writes a last checkpoint. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.key) await this.checkpoint();
  }

  private async write(): Promise<Checkpoint | null> {
    const key = this.key ?? loadOrCreateKeyFile(this.opts.dataDir, CHECKPOINT_KEY_FILE);
    this.key = key;
    const head = await this.opts.audit.head();
    if (!head || head.seq === this.lastSeq) return null;
    const cp = signCheckpoint(key, head, this.opts.now());
    appendCheckpoint(this.file, cp);
    this.lastSeq = head.seq;
    return cp;
  }
}
