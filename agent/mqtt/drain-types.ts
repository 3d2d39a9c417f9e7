/** What the drainer (drainer.ts) is given, publishes through, and counts. */
import type { Logger } from '../../protocol/logger.js';
import type { ResendPolicy } from '../core/receipt-resend.js';
import type { NewOutboxMessage, Outbox } from '../outbox/index.js';

/** What a publish is given: a stored message (with its seq) or a telemetry or status batch sent unstored (without). */
export type Publishable = Pick<NewOutboxMessage, 'kind' | 'topic' | 'payload' | 'qos'> & { seq?: number };

/** Sends one message; calls `done` once on the broker's acknowledgement (QoS 1) or write (QoS 0), or with the failure. */
export type PublishFn = (msg: Publishable, done: (err?: Error) => void) => void;

export interface DrainCounters {
  /** Publishes sent, first sends and resends. */
  published: number;
  /** Acknowledged by the broker (and so deleted). */
  acked: number;
  ackedEvents: number;
  /** Publishes of a message already sent on an earlier connection. */
  resent: number;
  /** Refused by the broker with an MQTT 5 reason code (events kept as dead letters, the rest removed). */
  rejected: number;
  /** Of `rejected`: telemetry batches and status messages (removed: stale by the time they could go again). */
  rejectedTelemetry: number;
  rejectedStatus: number;
  /** Telemetry and status batches published straight from memory (see `enqueueLight`). */
  sentUnstored: number;
  /** Of those, batches stored after all: no PUBACK within `unstoredMaxMs`, the connection dropped, or a batch behind them had to be stored. */
  storedLate: number;
}

export interface ReceiptCounters {
  /** Fault events deleted on a collector's receipt. */
  receipted: number;
  /** Sends of an event repeated because no receipt came in time (also in `resent`). */
  resentUnreceipted: number;
  /** Events a collector refused as bad input (kept as permanent dead letters). */
  refusedByCollector: number;
}

export interface DrainerOptions {
  outbox: Outbox;
  /** The outbox device key this drainer sends. */
  device: string;
  maxInFlight: number;
  log: Logger;
  /** Keep fault events until a receipt (default: off, events are deleted on their PUBACK). */
  receipts?: ResendPolicy | undefined;
  /** Epoch ms (for resend times). */
  now?: () => number;
  /** Publish telemetry and status from memory, storing them only if unacknowledged this long (see `enqueueLight`); left out: always store first. */
  unstoredMaxMs?: number | undefined;
}
