/** The outbox's value types: what goes in, what comes out, and the per-kind counters. */

export const OUTBOX_KINDS = ['event', 'telemetry', 'status'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** A message to store. `device` is the key of the stream it belongs to (the MQTT link uses `{site}/{device}`). */
export interface NewOutboxMessage {
  device: string;
  kind: OutboxKind;
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  /** Epoch ms; the outbox's clock when left out. */
  createdMs?: number;
  /** A fault event's id: what a collector's receipt names it by. */
  eventId?: string;
}

/** A collector's refusal of an event (bad input, never stored), naming it by its payload's SHA-256 or its id. */
export interface EventRefusal {
  payloadSha256: Uint8Array;
  id: string;
  code: string;
}

/** A stored message. `seq` is global (one counter for every device and kind) and only grows. */
export interface OutboxMessage {
  seq: number;
  device: string;
  kind: OutboxKind;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  createdMs: number;
  /** What the message counts against `maxBytes`: payload plus topic, in bytes. */
  bytes: number;
}

export type KindCounts = Record<OutboxKind, number>;

export interface OutboxDepth extends KindCounts {
  total: number;
}

export function zeroCounts(): KindCounts {
  return { event: 0, telemetry: 0, status: 0 };
}

/** Which messages `peek` returns. */
export interface PeekFilter {
  device?: string;
  /** All kinds when left out. */
  kinds?: readonly OutboxKind[];
}
