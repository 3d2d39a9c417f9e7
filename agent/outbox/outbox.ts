/**
 * The agent's durable outbox: every message to publish is stored here first and deleted only
 * once the broker acknowledged it. One SQLite file per agent, shared by all its devices
 * (messages carry their device key). Synchronous API (better-sqlite3); every write is one
 * transaction. Fault events, sequence numbers and state are fsync'd before the call returns
 * (`synchronous = FULL`, see open-database.ts). Telemetry and status appends and the deletions of
 * acknowledged messages are committed without an fsync of their own (`synchronous = NORMAL` for
 * that transaction) unless `fsyncTelemetry`: they survive a crash or SIGKILL of the agent at once
 * (the write-ahead log is written before the call returns and the kernel keeps it), and a power
 * cut once the next fsync'd commit or checkpoint has synced the log. A power cut before that may
 * lose the last telemetry and status batches, or undo a deletion (the message is then sent again:
 * a fault event is dropped by its id at the collector, telemetry may be stored twice). A 2.6 KB
 * batch appended and deleted cost ~1.2 ms of CPU fsync'd and ~0.4 ms without (measured on the
 * outbox alone): ~0.1% of a core at one batch a second.
 *
 * Bounded by `maxBytes` (payload + topic bytes of the stored messages; the file itself is
 * somewhat larger: SQLite pages, indexes, and a WAL of at most a few MiB). When full, eviction
 * follows eviction.ts: telemetry, then status, then fault events, oldest first; every eviction
 * is counted per device and kind, persisted, and readable with `evictions()`.
 *
 * Receipts: with them (the default), a fault event the broker acknowledged is only marked sent
 * (`markSent`: due again at a time the resend policy sets), and deleted when a collector's receipt
 * names its id (`receipt`); `dueResends` lists the sent events whose time has come, in seq order.
 * A collector's refusal (bad input that will never be stored) turns the event into a permanent
 * dead letter (`refuse`), never sent again.
 *
 * Also keeps the per-device event sequence (`nextSeq`, durable and monotonic across restarts)
 * and a small key/value store for other parts of the agent.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { ResendPolicy } from '../core/receipt-resend.js';
import { evictOldestRows } from './evict-rows.js';
import { planRoom } from './eviction.js';
import { deleteReceiptedRows, markSentRows, refuseRows } from './receipt-rows.js';
import { openOutboxDatabase } from './open-database.js';
import { PeekStatements, prepareStatements, toMessage, type Statements } from './statements.js';
import { EvictionTally, HeldTally } from './tally.js';
import { OUTBOX_KINDS, type EventRefusal, type KindCounts, type NewOutboxMessage, type OutboxDepth, type OutboxKind, type OutboxMessage, type PeekFilter } from './types.js';

export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;
export const MIN_MAX_BYTES = 1024;
/** A full outbox logs its evictions at most this often. */
const EVICTION_LOG_EVERY_MS = 60_000;
export { REFUSED_BY_COLLECTOR } from './receipt-rows.js';

export interface OutboxOptions {
  /** The SQLite file; its directory is created when missing. */
  file: string;
  /** Bound on the stored messages' bytes (payload + topic). Default 64 MiB. */
  maxBytes?: number;
  /** fsync every telemetry and status append and every deletion, like fault events (default false: crash-safe, not fsync'd each). */
  fsyncTelemetry?: boolean;
  log: Logger;
  now?: () => number;
}

/** How far a write is on disk when it returns (see write()). */
type Durability = 'fsync' | 'crash';

export class Outbox {
  readonly file: string;
  readonly maxBytes: number;
  private readonly db: Database.Database;
  private readonly st: Statements;
  private readonly held = new HeldTally();
  private readonly evicted = new EvictionTally();
  private readonly peeks: PeekStatements;
  private readonly listeners = new Set<(devices: ReadonlySet<string>) => void>();
  private readonly now: () => number;
  private readonly log: Logger;
  /** How telemetry and status appends and deletions are written. */
  private readonly light: Durability;

  private lastEvictionLogMs = Number.NEGATIVE_INFINITY;

  /** Use openOutbox(). */
  private constructor(opts: OutboxOptions, db: Database.Database) {
    this.file = opts.file;
    this.maxBytes = opts.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.light = opts.fsyncTelemetry === true ? 'fsync' : 'crash';
    this.db = db;
    this.st = prepareStatements(this.db);
    this.peeks = new PeekStatements(this.db);
    this.reload();
  }

  /** Opens (or creates) the file; throws FL_ERR_OUTBOX_OPEN / _CORRUPT / _LOCKED / _SCHEMA_NEWER naming the file and the fix. */
  static open(opts: OutboxOptions): Outbox {
    const maxBytes = opts.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) {
      throw new FaultlineError('FL_ERR_OUTBOX_CONFIG', `outbox maxBytes must be an integer of at least ${MIN_MAX_BYTES}, got ${maxBytes}`, {
        context: { maxBytes }, hint: 'set outbox.maxBytes to a size in bytes, e.g. 67108864 for 64 MiB',
      });
    }
    const outbox = new Outbox({ ...opts, maxBytes }, openOutboxDatabase(opts.file));
    const depth = outbox.depth();
    if (depth.total > 0) opts.log.info({ file: opts.file, ...depth, bytes: outbox.bytes() }, 'outbox opened with messages still to send');
    return outbox;
  }

  /**
   * Stores one message (one transaction; fsync'd for a fault event, crash-safe without an fsync for
   * telemetry and status). Returns its seq, or null when it was refused for lack of room (counted).
   */
  append(msg: NewOutboxMessage): number | null {
    return this.write(() => this.insert(msg), [msg.device], msg.kind === 'event' ? 'fsync' : this.light);
  }

  /** Stores several messages in one transaction (fsync'd when one is a fault event); one seq (or null when refused) per message, in order. */
  appendMany(msgs: readonly NewOutboxMessage[]): Array<number | null> {
    if (msgs.length === 0) return [];
    return this.write(() => msgs.map((m) => this.insert(m)), msgs.map((m) => m.device), msgs.some((m) => m.kind === 'event') ? 'fsync' : this.light);
  }

  /**
   * Takes the device's next event sequence number and stores the message built with it, in one
   * transaction: a number is never handed out without its message being stored, or the reverse.
   */
  appendSequenced(device: string, build: (deviceSeq: number) => NewOutboxMessage): { seq: number | null; deviceSeq: number } {
    return this.write(() => {
      const deviceSeq = this.takeSeq(device);
      const msg = build(deviceSeq);
      return { seq: this.insert(msg), deviceSeq };
    }, [device]);
  }

  /** The device's next event sequence number: 1, 2, 3, … durable and never repeated, across restarts. */
  nextSeq(device: string): number {
    return this.write(() => this.takeSeq(device), []);
  }

  /** Up to `limit` stored messages with seq > afterSeq, in seq order; dead letters and sent events awaiting a receipt are left out. */
  peek(afterSeq: number, limit: number, filter: PeekFilter = {}): OutboxMessage[] {
    this.requireOpen();
    if (limit <= 0) return [];
    const kinds = filter.kinds ?? OUTBOX_KINDS;
    const rows = this.peeks.get(filter.device !== undefined, kinds)
      .all(...(filter.device !== undefined ? [filter.device] : []), afterSeq, ...kinds, limit);
    return rows.map(toMessage);
  }

  /**
   * Deletes the given messages (one transaction, crash-safe without an fsync: a deletion a power cut
   * undoes only sends the message again); seqs no longer stored are ignored. Returns how many were deleted.
   */
  ack(seqs: readonly number[]): number {
    if (seqs.length === 0) return 0;
    return this.write(() => {
      let deleted = 0;
      for (const seq of seqs) {
        const r = this.st.deleteOne.get(seq);
        if (!r) continue;
        this.held.remove(r.device, r.kind, r.bytes);
        deleted++;
      }
      return deleted;
    }, [], this.light);
  }

  /**
   * The broker acknowledged these fault events (receipts on): they stay stored, out of `peek`, until
   * a receipt deletes them, and are due again at `nowMs` plus the policy's wait for their send
   * count. Seqs no longer stored (a receipt came first) and other kinds are ignored.
   */
  markSent(seqs: readonly number[], nowMs: number, policy: ResendPolicy): number {
    return seqs.length === 0 ? 0 : this.write(() => markSentRows(this.st, seqs, nowMs, policy), []);
  }

  /**
   * These sent events are being sent again: not due again before `atMs` (their PUBACK sets the
   * next time with markSent; if it never comes, they go again at `atMs`).
   */
  postponeResends(seqs: readonly number[], atMs: number): void {
    if (seqs.length === 0) return;
    this.write(() => { for (const seq of seqs) this.st.postponeResend.run(atMs, seq); }, []);
  }

  /** A collector holds these events of the device: deletes them (whatever their state). Returns how many were stored. */
  receipt(device: string, eventIds: readonly string[]): number {
    return eventIds.length === 0 ? 0 : this.write(() => deleteReceiptedRows(this.st, this.held, device, eventIds), []);
  }

  /**
   * A collector refused these events of the device as bad input: they become permanent dead
   * letters (kept for inspection, never sent again). Matched by event id, or else by the SHA-256
   * of the stored payload. Returns the seqs marked.
   */
  refuse(device: string, refusals: readonly EventRefusal[]): number[] {
    return refusals.length === 0 ? [] : this.write(() => refuseRows(this.st, device, refusals), []);
  }

  /** Up to `limit` of the device's sent, unreceipted events due again at `nowMs`, in seq order. */
  dueResends(device: string, nowMs: number, limit: number): OutboxMessage[] {
    this.requireOpen();
    if (limit <= 0) return [];
    return this.st.dueResends.all(device, nowMs, limit).map(toMessage);
  }

  /** When the device's next unreceipted event is due again (epoch ms), or undefined when none waits. */
  nextResendAtMs(device: string): number | undefined {
    this.requireOpen();
    return this.st.nextResendAt.get(device)?.at ?? undefined;
  }

  /** Fault events the broker acknowledged that no receipt has named yet; for one device when named. */
  unreceipted(device?: string): number {
    this.requireOpen();
    return (device === undefined ? this.st.countAllUnreceipted.get() : this.st.countUnreceipted.get(device))?.n ?? 0;
  }

  /**
   * Keeps messages the broker refused (MQTT 5 reason code >= 0x80) as dead letters: still stored
   * and counted against maxBytes, but skipped by peek() until requeueDeadLetters().
   */
  deadLetter(refused: ReadonlyArray<{ seq: number; reasonCode: number }>): void {
    if (refused.length === 0) return;
    this.write(() => { for (const r of refused) this.st.deadLetter.run(r.reasonCode, r.seq); }, []);
  }

  /** Dead letters held; for one device when named. */
  deadLetters(device?: string): number {
    this.requireOpen();
    return (device === undefined ? this.st.countAllDeadLetters.get() : this.st.countDeadLetters.get(device))?.n ?? 0;
  }

  /** When the device's oldest stored message was created (epoch ms), or undefined when it has none. */
  oldestCreatedMs(device: string): number | undefined {
    this.requireOpen();
    return this.st.oldestCreated.get(device)?.at ?? undefined;
  }

  /** Makes the device's dead letters sendable again (on a new connection); returns how many. */
  requeueDeadLetters(device: string): number {
    const n = this.write(() => this.st.requeueDeadLetters.run(device).changes, []);
    if (n > 0 && this.listeners.size > 0) this.notify(new Set([device]));
    return n;
  }

  /** Messages held, per kind and in total; for one device when named. */
  depth(device?: string): OutboxDepth {
    return this.held.depth(device);
  }

  /** Bytes held (payload + topic), counted against maxBytes; for one device when named. */
  bytes(device?: string): number {
    return this.held.bytes(device);
  }

  /** Messages evicted (or refused) for lack of room since the file was created, per kind; for one device when named. */
  evictions(device?: string): KindCounts {
    return this.evicted.get(device);
  }

  getState(key: string): string | undefined {
    this.requireOpen();
    return this.st.getState.get(key)?.value;
  }

  setState(key: string, value: string): void {
    this.write(() => this.st.setState.run(key, value, this.now()), []);
  }

  deleteState(key: string): void {
    this.write(() => this.st.deleteState.run(key), []);
  }

  /** Called after every committed append with the devices that got messages. Returns the unsubscribe function. */
  onAppend(listener: (devices: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Closes the file (a checkpoint folds the WAL back in). Idempotent. */
  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }

  private insert(msg: NewOutboxMessage): number | null {
    const bytes = msg.payload.byteLength + Buffer.byteLength(msg.topic);
    if (bytes > this.maxBytes) {
      throw new FaultlineError('FL_ERR_OUTBOX_TOO_LARGE', `a ${msg.kind} message of ${bytes} bytes cannot fit an outbox of ${this.maxBytes} bytes`, {
        context: { kind: msg.kind, device: msg.device, bytes, maxBytes: this.maxBytes }, hint: 'raise outbox.maxBytes',
      });
    }
    const plan = planRoom(msg.kind, bytes, this.held.bytes(), this.maxBytes, this.held.bytesByKind());
    if (plan.action === 'refuse') {
      this.countEviction(msg.device, msg.kind, 1);
      return null;
    }
    if (plan.action === 'evict') {
      for (const e of evictOldestRows(this.st, this.held, plan.kinds, plan.needBytes)) this.countEviction(e.device, e.kind, e.n);
    }
    const row = this.st.insert.get(msg.device, msg.kind, msg.topic, msg.payload, msg.qos, msg.createdMs ?? this.now(), bytes, msg.eventId ?? null);
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    this.held.add(msg.device, msg.kind, bytes);
    return row.seq;
  }

  private countEviction(device: string, kind: OutboxKind, n: number): void {
    this.st.countEviction.run(device, kind, n);
    this.evicted.add(device, kind, n);
    const now = this.now();
    if (now - this.lastEvictionLogMs >= EVICTION_LOG_EVERY_MS) {
      this.lastEvictionLogMs = now;
      this.log.warn({ file: this.file, maxBytes: this.maxBytes, evictedSoFar: this.evicted.get() }, 'outbox full: dropping the least important, oldest messages (telemetry, then status, then events)');
    }
  }

  private takeSeq(device: string): number {
    const row = this.st.nextSeq.get(device);
    if (!row) throw new Error('device_seq upsert gave no row');
    return row.last;
  }

  /**
   * Runs `fn` in one transaction; on failure the tallies are rebuilt from the file and a typed error
   * is thrown. `fsync` (the default): synced to disk before it returns; `crash`: in the write-ahead
   * log (safe from a crash of the process, synced by the next fsync'd commit or checkpoint).
   */
  private write<T>(fn: () => T, devices: readonly string[], durability: Durability = 'fsync'): T {
    this.requireOpen();
    let result: T;
    try {
      if (durability === 'crash') {
        this.st.syncNormal.run();
        try {
          result = this.db.transaction(fn)();
        } finally {
          this.st.syncFull.run();
        }
      } else {
        result = this.db.transaction(fn)();
      }
    } catch (cause) {
      this.reload();
      if (cause instanceof FaultlineError) throw cause;
      throw new FaultlineError('FL_ERR_OUTBOX_WRITE', `cannot write the outbox file ${this.file}: ${(cause as Error).message}`, {
        cause, context: { file: this.file }, hint: 'check the disk: free space, permissions, or a damaged file (move it aside to start empty)',
      });
    }
    if (devices.length > 0 && this.listeners.size > 0) this.notify(new Set(devices));
    return result;
  }

  private notify(devices: ReadonlySet<string>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(devices);
      } catch (err) {
        this.log.error({ err }, 'outbox append listener failed');
      }
    }
  }

  private reload(): void {
    if (!this.db.open) return;
    this.held.clear();
    for (const r of this.st.held.all()) this.held.add(r.device, r.kind, r.bytes, r.n);
    this.evicted.clear();
    for (const r of this.st.evicted.all()) this.evicted.add(r.device, r.kind, r.count);
  }

  private requireOpen(): void {
    if (!this.db.open) {
      throw new FaultlineError('FL_ERR_OUTBOX_CLOSED', `the outbox ${this.file} is closed`, { context: { file: this.file } });
    }
  }
}

/** Opens (or creates) an outbox file; throws FL_ERR_OUTBOX_OPEN / _CORRUPT / _LOCKED / _SCHEMA_NEWER naming the file and the fix. */
export function openOutbox(opts: OutboxOptions): Outbox {
  return Outbox.open(opts);
}
