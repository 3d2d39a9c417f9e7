/**
 * The ingest pipeline: topic → decode and validate → group commit to the store. `handle`
 * resolves once the message is committed, or once bad input has been counted and dropped (it
 * must be acknowledged, or the sender would redeliver it forever); it rejects only when the
 * store fails, so the sender keeps the message and redelivers it.
 */
import type { IngestPort } from '../store/port.js';
import type { Logger } from '../../protocol/logger.js';
import { errorCode, FaultlineError } from '../../protocol/errors.js';
import { parseTopic, type TopicAddress } from '../../protocol/topics.js';
import type { CommitOutcome, IngestMessage } from '../core/devices/ingest-message.js';
import { IngestCounters } from './counters.js';
import { badInputCounter, decodeMessage, isIngestKind } from './decode-message.js';
import { DEFAULT_MAX_BATCH, GroupCommit } from './group-commit.js';
import type { ReceiptSink } from './receipt-sender.js';
import { isDiskFull } from '../store/disk-full.js';
import { WriteState } from './write-state.js';

export type BatchSink = Pick<IngestPort, 'commit'>;

export interface IngestPipelineOptions {
  store: BatchSink;
  log: Logger;
  now: () => number;
  /** Most messages per transaction. */
  maxBatch?: number;
  /** Told of every committed batch and every event dropped as bad input (receipt-sender.ts). */
  receipts?: ReceiptSink;
}

/** Who wants to know how ingest performs (Prometheus /metrics). */
export interface IngestObserver {
  /** One transaction: how many messages, and how long the commit took. */
  batch(size: number, seconds: number): void;
  /** One message stored: seconds from its arrival to its commit (what its PUBACK waits for). */
  stored(seconds: number): void;
  /** A batch committed (the dashboard's live values). */
  committed?(batch: readonly IngestMessage[]): void;
}

export class IngestPipeline {
  readonly counters = new IngestCounters();
  /** Read-only while the store cannot commit (a full disk): what /api/health shows; logged once per change. */
  readonly writes = new WriteState((change, state) => {
    if (change === 'failing') {
      this.opts.log.error({ code: state.code, reason: state.reason },
        'the store cannot write: read-only, MQTT messages are not acknowledged (their senders keep them) until it can; API reads go on');
    } else {
      this.opts.log.warn({ refused: state.refused, sinceMs: state.sinceMs }, 'store writes again: messages are acknowledged again');
    }
  });
  private group: GroupCommit<IngestMessage, CommitOutcome> | undefined;
  private readonly observers = new Set<IngestObserver>();

  constructor(private readonly opts: IngestPipelineOptions) {}

  start(): void {
    this.group ??= new GroupCommit((batch) => this.timedCommit(batch), this.opts.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  /** Reports every batch and stored message to `observer` until the returned function is called. */
  observe(observer: IngestObserver): () => void {
    this.observers.add(observer);
    return () => { this.observers.delete(observer); };
  }

  private async timedCommit(batch: IngestMessage[]): Promise<CommitOutcome[]> {
    const started = performance.now();
    const outcomes = await this.opts.store.commit(batch, this.opts.now());
    const seconds = (performance.now() - started) / 1000;
    for (const o of this.observers) {
      o.batch(batch.length, seconds);
      o.committed?.(batch);
    }
    this.opts.receipts?.committed(batch, outcomes);
    return outcomes;
  }

  /** Commits what is queued; later messages are refused (and so not acknowledged). */
  async stop(): Promise<void> {
    await this.group?.stop();
  }

  async handle(topic: string, payload: Uint8Array, clientId: string | null): Promise<void> {
    const arrived = performance.now();
    const receivedMs = this.opts.now();
    let address: TopicAddress | undefined;
    let message: IngestMessage;
    try {
      address = parseTopic(topic);
      if (!isIngestKind(address.kind)) return; // RPC traffic passes through untouched
      this.counters.receivedOne(address.kind);
      message = decodeMessage({ ...address, kind: address.kind }, topic, payload, receivedMs);
    } catch (err) {
      const dropped = this.dropBadInput(err, topic, payload.length, clientId, receivedMs);
      if (address) this.opts.receipts?.refused(address, payload, dropped);
      return;
    }
    await this.commit(message, topic, clientId);
    if (this.observers.size > 0) {
      const seconds = (performance.now() - arrived) / 1000;
      for (const o of this.observers) o.stored(seconds);
    }
  }

  private async commit(message: IngestMessage, topic: string, clientId: string | null): Promise<void> {
    if (!this.group) throw new FaultlineError('FL_ERR_INGEST_STOPPED', 'ingest is not started; the message was not stored');
    let outcome: CommitOutcome;
    try {
      outcome = await this.group.submit(message);
    } catch (cause) {
      const err = cause instanceof FaultlineError && cause.code === 'FL_ERR_INGEST_STOPPED' ? cause : storeError(cause, message.kind, topic);
      this.counters.storeError({ timeMs: message.receivedMs, code: err.code, message: err.message, topic });
      if (err.code !== 'FL_ERR_INGEST_STOPPED') this.writes.failed(err.code, err.message, this.opts.now());
      this.opts.log.debug({ err, code: err.code, topic, clientId }, 'message not stored; the sender will redeliver');
      throw err;
    }
    this.writes.succeeded(this.opts.now());
    if (outcome === 'duplicate') {
      this.counters.duplicate();
      this.opts.log.debug({ topic, clientId, kind: message.kind }, 'duplicate event ignored');
    } else if (message.kind === 'event') {
      this.counters.eventCommitted();
    }
  }

  private dropBadInput(thrown: unknown, topic: string, bytes: number, clientId: string | null, timeMs: number): FaultlineError {
    if (!(thrown instanceof FaultlineError)) {
      // A decoder bug, not the sender's fault; still dropped, or the message would be redelivered forever.
      this.opts.log.error({ err: thrown, topic, clientId, bytes }, 'unexpected error while decoding; message dropped');
    }
    const err = thrown instanceof FaultlineError ? thrown
      : new FaultlineError(errorCode(thrown), `cannot decode message: ${(thrown as Error).message}`, { cause: thrown, context: { topic } });
    const counter = badInputCounter(err);
    this.counters.badInput(counter, { timeMs, code: err.code, message: err.message, topic });
    this.opts.log.warn({ code: err.code, topic, clientId, bytes, context: err.context, hint: err.hint },
      `dropped bad message: ${err.message}`);
    return err;
  }
}

function storeError(cause: unknown, kind: string, topic: string): FaultlineError {
  if (isDiskFull(cause)) {
    return new FaultlineError('FL_ERR_STORE_FULL', `the disk under the database is full: cannot store ${kind} from ${topic}`, {
      cause, context: { topic }, hint: 'free space on the data directory\'s disk (or shorten retention); the collector resumes by itself',
    });
  }
  return new FaultlineError('FL_ERR_STORE_WRITE', `cannot store ${kind} from ${topic}: ${(cause as Error).message}`, {
    cause, context: { topic }, hint: 'check the data directory: disk full, permissions, or a damaged database file',
  });
}
