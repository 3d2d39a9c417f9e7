/**
 * Publishes one device's outbox over a live connection and deletes what the broker acknowledged.
 *
 * - Order: each lane goes out in seq order — fault events in one lane, telemetry and status in
 *   the other. Events go first: every pump fills free window slots with events before anything
 *   else, and telemetry/status may hold at most half the window, so a telemetry backlog never
 *   delays a fault.
 * - Window: at most `maxInFlight` publishes unacknowledged (capped by an MQTT 5 broker's
 *   receive maximum). A message leaves the outbox only after its PUBACK, which the faultline
 *   collector sends only once the message is committed.
 * - Reconnect: `detach()` forgets what was in flight without deleting it; the next `attach()`
 *   starts again from the oldest stored message, so what was unacknowledged is sent again, in
 *   order. The collector drops the duplicates by event id. `resent` counts them.
 * - Telemetry and status unstored (`enqueueLight`, when `unstoredMaxMs` is set): while nothing
 *   of their lane is stored and the window has room, a batch is published straight from memory
 *   and never written to the outbox when its PUBACK comes within `unstoredMaxMs` (on a live link,
 *   within milliseconds: no outbox write, read or deletion at all). Once one is older than that
 *   without its PUBACK, the connection drops, or a batch must be stored (window full, lane not
 *   empty), every unstored batch is stored first, in order, and the ones still in flight stay in
 *   flight as stored messages (their PUBACK deletes them). So a SIGKILL loses at most the batches
 *   of the last `unstoredMaxMs` that the broker has not acknowledged, and the lane keeps its order.
 * - An MQTT 5 PUBACK with an error reason code (≥ 0x80, e.g. 135 not authorized) is a definite
 *   refusal, counted in `rejected`. A refused fault event is kept as a dead letter (stored, skipped
 *   on this connection, so it cannot block the queue) and sent again after the next attach: a
 *   reconnect, or an agent restarted with a new config. Refused telemetry and status are removed.
 *   The first refusal of each topic and reason is logged at error level with the fix; the rest at
 *   debug. (An MQTT 3.1.1 broker never refuses: it acknowledges and drops what it does not allow.)
 * - Receipts (when `receipts` is given): a PUBACK says only that the broker has a fault event, so
 *   the event stays stored, marked sent; the collector's receipt (`receipt()`) deletes it. A sent
 *   event with no receipt goes again when due (agent/core/receipt-resend.ts: a timeout that doubles
 *   up to a bound), in seq order, ahead of new events, counted in `resent` and
 *   `receiptCounters.resentUnreceipted`. An event the collector refused as bad input becomes a
 *   permanent dead letter. Telemetry and status are still deleted on their PUBACK. `receiptsOff()`
 *   goes back to deleting events on their PUBACK for this connection (the broker refused the
 *   receipt subscription).
 */
import type { EventRefusal, NewOutboxMessage, OutboxKind, OutboxMessage } from '../outbox/index.js';
import { DEFAULT_RESEND_POLICY } from '../core/receipt-resend.js';
import type { DrainCounters, DrainerOptions, PublishFn, ReceiptCounters } from './drain-types.js';
import { PublishRefusals, reasonCode } from './publish-refusals.js';
import { UnstoredBatches } from './unstored-batches.js';
import { applyReceipt } from './apply-receipt.js';

export type { DrainCounters, DrainerOptions, Publishable, PublishFn, ReceiptCounters } from './drain-types.js';

const EVENT_KINDS: readonly OutboxKind[] = ['event'];
const OTHER_KINDS: readonly OutboxKind[] = ['telemetry', 'status'];

interface Connection {
  publish: PublishFn;
  window: number;
  inFlight: Map<number, OutboxKind>;
  othersInFlight: number;
  eventCursor: number;
  otherCursor: number;
  /** Whether a PUBACKed event waits for its receipt on this connection. */
  receipts: boolean;
  /** Published from memory and not acknowledged yet (also counted in `othersInFlight`); null when the drainer stores first. */
  unstored: UnstoredBatches | null;
}

export class OutboxDrainer {
  readonly counters: DrainCounters = { published: 0, acked: 0, ackedEvents: 0, resent: 0, rejected: 0, rejectedTelemetry: 0, rejectedStatus: 0, sentUnstored: 0, storedLate: 0 };
  readonly receiptCounters: ReceiptCounters = { receipted: 0, resentUnreceipted: 0, refusedByCollector: 0 };
  private conn: Connection | null = null;
  private pendingAcks: number[] = [];
  private pendingSent: number[] = [];
  private resendTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private pendingDeadLetters: Array<{ seq: number; reasonCode: number }> = [];
  private readonly refusals: PublishRefusals;
  private flushTask: NodeJS.Immediate | null = null;
  private pumpTask: NodeJS.Immediate | null = null;
  private readonly highestSent = { event: 0, other: 0 };
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: DrainerOptions) {
    this.now = opts.now ?? Date.now;
    this.refusals = new PublishRefusals(this.counters, opts.log);
  }

  /** Listens for appends to this device's outbox. */
  start(): void {
    this.unsubscribe ??= this.opts.outbox.onAppend((devices) => {
      if (devices.has(this.opts.device)) this.schedulePump();
    });
  }

  /** Detaches and stops listening; pending deletions are written. */
  stop(): void {
    this.detach();
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pumpTask) clearImmediate(this.pumpTask);
    this.pumpTask = null;
  }

  /** Whether events on the current connection wait for a receipt. */
  get awaitingReceipts(): boolean {
    return this.conn?.receipts ?? false;
  }

  /** This connection cannot get receipts (the subscription was refused): events are deleted on their PUBACK again. */
  receiptsOff(): void {
    if (this.conn) this.conn.receipts = false;
  }

  /**
   * A collector's receipt for this device: deletes the named events (wherever they are: waiting,
   * in flight or sent) and keeps the refused ones as permanent dead letters. Returns how many
   * events it deleted.
   */
  receipt(eventIds: readonly string[], refused: readonly EventRefusal[] = []): number {
    return applyReceipt(this.opts.outbox, this.opts.device, eventIds, refused, this.receiptCounters, this.opts.log);
  }

  get attached(): boolean {
    return this.conn !== null;
  }

  get inFlight(): number {
    return (this.conn?.inFlight.size ?? 0) + (this.conn?.unstored?.size ?? 0);
  }

  /**
   * A telemetry or status batch: published from memory when nothing of its lane is stored and the
   * window has room (see the top of this file), otherwise stored in the outbox (after any batch
   * still unstored, which is stored first). False when the outbox had no room for it (counted there).
   */
  enqueueLight(msg: NewOutboxMessage): boolean {
    const c = this.conn;
    if (c?.unstored && this.roomUnstored(c, c.unstored)) {
      this.sendUnstored(c, c.unstored, msg);
      return true;
    }
    this.storeUnstored();
    return this.opts.outbox.append(msg) !== null;
  }

  /** A new connection is up: send from the oldest stored message. */
  attach(publish: PublishFn, receiveMaximum?: number): void {
    this.detach();
    const window = Math.max(1, Math.min(this.opts.maxInFlight, receiveMaximum ?? Number.POSITIVE_INFINITY));
    this.conn = {
      publish, window, inFlight: new Map(), othersInFlight: 0, eventCursor: 0, otherCursor: 0, receipts: this.opts.receipts !== undefined, unstored: null,
    };
    const maxMs = this.opts.unstoredMaxMs;
    if (maxMs !== undefined) this.conn.unstored = new UnstoredBatches(maxMs, this.now, () => this.storeUnstored());
    try {
      const requeued = this.opts.outbox.isOpen ? this.opts.outbox.requeueDeadLetters(this.opts.device) : 0;
      if (requeued > 0) this.opts.log.info({ events: requeued }, 'sending the fault events the broker refused before again');
    } catch (err) {
      this.opts.log.error({ err }, 'cannot requeue dead letters; they stay in the outbox');
    }
    this.pump();
  }

  /** Sends nothing more on this connection but still takes acknowledgements (for a clean stop). */
  hold(): void {
    if (this.conn) this.conn.window = 0;
  }

  /** The connection is gone: unacknowledged messages stay stored (the unstored ones are stored now) and go again after the next attach. */
  detach(): void {
    this.storeUnstored();
    this.conn = null;
    this.flushAcks();
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
  }

  private schedulePump(): void {
    if (this.pumpTask || !this.conn) return;
    this.pumpTask = setImmediate(() => {
      this.pumpTask = null;
      this.pump();
    });
  }

  private pump(): void {
    const c = this.conn;
    const { outbox, device } = this.opts;
    if (!c || !outbox.isOpen) return;
    try {
      let free = c.window - c.inFlight.size - (c.unstored?.size ?? 0);
      if (free <= 0) return;
      // The outbox's own count of what it holds (in memory) spares the queries when a lane is empty,
      // as it is after most acknowledgements (one telemetry batch a second, no fault pending).
      const held = outbox.depth(device);
      if (held.event > 0) free = this.pumpEvents(c, free);
      if (free <= 0 || held.telemetry + held.status === 0) return;
      const room = Math.min(free, Math.max(1, Math.floor(c.window / 2)) - c.othersInFlight);
      if (room <= 0) return;
      for (const m of outbox.peek(c.otherCursor, room, { device, kinds: OTHER_KINDS })) {
        if (this.conn !== c) return;
        this.send(c, m);
      }
    } catch (err) {
      this.opts.log.error({ err }, 'cannot read the outbox; will retry on the next append or acknowledgement');
    }
  }

  /** Fills up to `free` window slots with fault events (resends due first); returns the slots left. */
  private pumpEvents(c: Connection, slots: number): number {
    const { outbox, device } = this.opts;
    let free = slots;
    // Events sent before and never receipted go first, oldest first (never ahead of their turn: they were sent once).
    const due = outbox.dueResends(device, this.now(), free + c.inFlight.size).filter((m) => !c.inFlight.has(m.seq)).slice(0, free);
    if (due.length > 0) {
      // Not due again while in flight; their PUBACK sets the next time (if it never comes: the longest wait).
      outbox.postponeResends(due.map((m) => m.seq), this.now() + (this.opts.receipts ?? DEFAULT_RESEND_POLICY).maxMs);
      for (const m of due) {
        if (this.conn !== c) return 0;
        this.resend(c, m);
        free--;
      }
    }
    if (free <= 0) return 0;
    for (const m of outbox.peek(c.eventCursor, free, { device, kinds: EVENT_KINDS })) {
      if (this.conn !== c) return 0;
      this.send(c, m);
      free--;
    }
    return free;
  }

  private send(c: Connection, m: OutboxMessage): void {
    const lane = m.kind === 'event' ? 'event' : 'other';
    if (lane === 'event') c.eventCursor = m.seq;
    else {
      c.otherCursor = m.seq;
      c.othersInFlight++;
    }
    if (m.seq <= this.highestSent[lane]) this.counters.resent++;
    else this.highestSent[lane] = m.seq;
    c.inFlight.set(m.seq, m.kind);
    this.counters.published++;
    c.publish(m, (err) => this.settle(c, m, err));
  }

  /** Sends again an event the broker acknowledged before but no collector receipted (the lane cursor stays where it is). */
  private resend(c: Connection, m: OutboxMessage): void {
    c.inFlight.set(m.seq, m.kind);
    this.counters.published++;
    this.counters.resent++;
    this.receiptCounters.resentUnreceipted++;
    c.publish(m, (err) => this.settle(c, m, err));
  }

  /** Wakes the pump when the device's next unreceipted event is due (one timer, re-armed after every change). */
  private scheduleResend(): void {
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
    const { outbox, device, receipts } = this.opts;
    if (!this.conn || !outbox.isOpen) return;
    let at: number | undefined;
    try {
      at = outbox.nextResendAtMs(device);
    } catch (err) {
      this.opts.log.error({ err }, 'cannot read the outbox for the next resend');
      return;
    }
    if (at === undefined) return;
    // Bounded: a clock that jumps cannot push the wake-up beyond the longest wait.
    const delay = Math.min(Math.max(0, at - this.now()), (receipts ?? DEFAULT_RESEND_POLICY).maxMs) + 1;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = null;
      this.pump();
      this.scheduleResend();
    }, delay);
  }

  private settle(c: Connection, m: Pick<OutboxMessage, 'seq' | 'kind' | 'topic'>, err: Error | undefined): void {
    if (this.conn !== c || !c.inFlight.delete(m.seq)) return; // that connection is gone; the message is still stored
    if (m.kind !== 'event') c.othersInFlight--;
    if (err) {
      const code = reasonCode(err);
      // No reason code: the connection is failing; the message stays stored and goes again after the reconnect.
      if (code === undefined) return this.opts.log.debug({ seq: m.seq, kind: m.kind, err: err.message }, 'publish not acknowledged');
      if (this.refusals.record(m, code, err)) {
        this.pendingDeadLetters.push({ seq: m.seq, reasonCode: code });
        this.scheduleFlush();
        return;
      }
    } else {
      this.counters.acked++;
      if (m.kind === 'event') this.counters.ackedEvents++;
      if (m.kind === 'event' && c.receipts) {
        this.pendingSent.push(m.seq);
        this.scheduleFlush();
        return;
      }
    }
    this.pendingAcks.push(m.seq);
    this.scheduleFlush();
  }

  /** Whether a telemetry or status batch may go unstored now: nothing of its lane stored, room in the window and in the lane's half. */
  private roomUnstored(c: Connection, unstored: UnstoredBatches): boolean {
    const held = this.opts.outbox.depth(this.opts.device);
    return held.telemetry + held.status === 0 && c.inFlight.size + unstored.size < c.window
      && c.othersInFlight < Math.max(1, Math.floor(c.window / 2));
  }

  private sendUnstored(c: Connection, unstored: UnstoredBatches, msg: NewOutboxMessage): void {
    const u = unstored.add(msg);
    c.othersInFlight++;
    this.counters.published++;
    this.counters.sentUnstored++;
    c.publish(msg, (err) => {
      // The connection is failing: stored with the rest, in order, to go again after the reconnect.
      if (err && u.seq === null && reasonCode(err) === undefined && this.conn === c && unstored.has(u)) this.storeUnstored();
      // Stored meanwhile: settled like any stored message (its PUBACK deletes it).
      if (u.seq !== null) return this.settle(c, { seq: u.seq, kind: msg.kind, topic: msg.topic }, err);
      if (this.conn !== c || !unstored.settle(u)) return;
      c.othersInFlight--;
      const code = err ? reasonCode(err) : undefined;
      if (err && code !== undefined) this.refusals.record(msg, code, err);
      else this.counters.acked++;
      if (this.opts.outbox.depth(this.opts.device).total > 0) this.schedulePump(); // a slot for what waits stored
    });
  }

  /**
   * Stores every batch still unstored on this connection, in the order sent. Those still in flight
   * stay in flight as stored messages (the lane's cursor moves past them, so they are not sent
   * twice on this connection); after a reconnect they go again from the outbox.
   */
  private storeUnstored(): void {
    const c = this.conn;
    if (!c?.unstored || c.unstored.size === 0) return;
    const batch = c.unstored.takeAll();
    let seqs: Array<number | null>;
    try {
      seqs = this.opts.outbox.appendMany(batch.map((u) => u.msg));
    } catch (err) {
      // Not stored: they may still be acknowledged on this connection, or are lost with it.
      c.othersInFlight -= batch.length;
      this.opts.log.error({ err, messages: batch.length }, 'cannot store telemetry or status sent unstored; a reconnect now would lose them');
      return;
    }
    this.counters.storedLate += batch.length;
    batch.forEach((u, i) => {
      const seq = seqs[i] ?? null;
      if (seq === null) { // no room (counted by the outbox as an eviction)
        c.othersInFlight--;
        return;
      }
      u.seq = seq;
      c.inFlight.set(seq, u.msg.kind);
      c.otherCursor = Math.max(c.otherCursor, seq);
      this.highestSent.other = Math.max(this.highestSent.other, seq);
    });
  }

  /** Deletions are batched: one outbox transaction per turn of the event loop, then the freed slots are refilled. */
  private scheduleFlush(): void {
    if (this.flushTask) return;
    this.flushTask = setImmediate(() => {
      this.flushTask = null;
      this.flushAcks();
      this.pump();
    });
  }

  private flushAcks(): void {
    if (this.flushTask) clearImmediate(this.flushTask);
    this.flushTask = null;
    if (this.pendingSent.length > 0 && this.opts.receipts) {
      const sent = this.pendingSent;
      this.pendingSent = [];
      try {
        this.opts.outbox.markSent(sent, this.now(), this.opts.receipts);
      } catch (err) {
        // Still stored as unsent: they go again after a reconnect and are receipted then.
        this.opts.log.error({ err, messages: sent.length }, 'cannot mark acknowledged events as sent');
      }
      this.scheduleResend();
    }
    if (this.pendingDeadLetters.length > 0) {
      const refused = this.pendingDeadLetters;
      this.pendingDeadLetters = [];
      try {
        this.opts.outbox.deadLetter(refused);
      } catch (err) {
        // Still stored as ordinary messages: sent again after a reconnect.
        this.opts.log.error({ err, messages: refused.length }, 'cannot mark refused events as dead letters');
      }
    }
    if (this.pendingAcks.length === 0) return;
    const seqs = this.pendingAcks;
    this.pendingAcks = [];
    try {
      this.opts.outbox.ack(seqs);
    } catch (err) {
      // Not deleted: they are sent again after a reconnect, and the collector drops the duplicates.
      this.opts.log.error({ err, messages: seqs.length }, 'cannot delete acknowledged messages from the outbox');
    }
  }
}
