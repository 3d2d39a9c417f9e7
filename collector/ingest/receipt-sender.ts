/**
 * Sends receipts to devices: the collector's word, after a commit, that it holds their fault
 * events (faultline.proto `Receipt`, topic fl/v1/{site}/{device}/receipt, QoS 1). The agent deletes
 * an event from its outbox only on a receipt, and resends the unreceipted ones on a timeout, so
 * nothing acknowledged is lost whatever the broker does with in-flight messages of a subscriber
 * that dies.
 *
 * Independent of the transport: it is given a `publish(topic, payload, qos)` function (the
 * embedded aedes broker's `MqttBroker.publish`, or an external broker's client). Sending is fire
 * and forget: a receipt that fails or is lost (device offline, clean session) costs one resend of
 * the events it named, which the store refuses as duplicates and receipts again.
 *
 * Bad input: an event dropped as undecodable or invalid will never be stored, so resending it is
 * pointless; its device gets a receipt naming it as refused (by the SHA-256 of its payload, the only
 * name an undecodable payload has) and the agent keeps it as a permanent dead letter.
 */
import { createHash } from 'node:crypto';
import { encodeReceipt } from '../../protocol/codec.js';
import { errorCode, FaultlineError } from '../../protocol/errors.js';
import type { Logger } from '../../protocol/logger.js';
import { topicFor, type TopicAddress } from '../../protocol/topics.js';
import type { Receipt } from '../../protocol/values.js';
import { receiptsForBatch, refusalReceipt, type CommitOutcome, type IngestMessage } from '../core/devices/index.js';

/** Publishes one message to a device; resolves once the broker took it. */
export type DevicePublish = (topic: string, payload: Uint8Array, qos: 0 | 1) => Promise<void>;

/** What ingest tells about receipts: a committed batch, an event dropped as bad input. */
export interface ReceiptSink {
  committed(batch: readonly IngestMessage[], outcomes: readonly CommitOutcome[]): void;
  refused(address: TopicAddress, payload: Uint8Array, err: FaultlineError): void;
}

export interface ReceiptCounters {
  /** Receipt messages published. */
  sent: number;
  /** Event ids named as stored in them. */
  events: number;
  /** Events named as refused (bad input, never stored). */
  refused: number;
  /** Receipts the broker did not take (the agent resends those events). */
  failed: number;
}

export interface ReceiptSenderOptions {
  publish: DevicePublish;
  log: Logger;
  now: () => number;
}

/** Failures are logged at warn level at most this often (the rest at debug). */
const WARN_EVERY_MS = 60_000;

export class ReceiptSender implements ReceiptSink {
  readonly counters: ReceiptCounters = { sent: 0, events: 0, refused: 0, failed: 0 };
  private lastWarnMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: ReceiptSenderOptions) {}

  committed(batch: readonly IngestMessage[], outcomes: readonly CommitOutcome[]): void {
    for (const r of receiptsForBatch(batch, outcomes, this.opts.now())) this.send(r);
  }

  refused(address: TopicAddress, payload: Uint8Array, err: FaultlineError): void {
    if (address.kind !== 'event') return;
    const payloadSha256 = createHash('sha256').update(payload).digest();
    this.send(refusalReceipt(address.site, address.device, { payloadSha256, id: '', code: err.code, message: err.message }, this.opts.now()));
  }

  snapshot(): ReceiptCounters {
    return { ...this.counters };
  }

  private send(r: Receipt): void {
    const topic = topicFor(r.site, r.device, 'receipt');
    let sending: Promise<void>;
    try {
      sending = this.opts.publish(topic, encodeReceipt(r), 1);
    } catch (cause) {
      sending = Promise.reject(cause);
    }
    sending.then(() => {
      this.counters.sent++;
      this.counters.events += r.eventIds.length;
      this.counters.refused += r.refused.length;
    }, (cause: unknown) => this.failed(topic, r, cause));
  }

  private failed(topic: string, r: Receipt, cause: unknown): void {
    this.counters.failed++;
    const err = new FaultlineError('FL_ERR_RECEIPT_SEND', `cannot publish a receipt to ${topic}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause, context: { topic, events: r.eventIds.length, causeCode: errorCode(cause) },
      hint: 'harmless on its own: the agent resends the events and they are receipted then; if it persists, check the broker connection',
    });
    const now = this.opts.now();
    if (now - this.lastWarnMs >= WARN_EVERY_MS) {
      this.lastWarnMs = now;
      this.opts.log.warn({ err, code: err.code, failedSoFar: this.counters.failed }, err.message);
    } else {
      this.opts.log.debug({ code: err.code, topic }, err.message);
    }
  }
}
