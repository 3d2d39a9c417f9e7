/** What ingest has seen since start, for /api/health. */
import { CLIP_AT, clipText } from '../../protocol/clip-text.js';
import type { IngestKind } from '../core/devices/ingest-message.js';

export interface IngestErrorEntry {
  timeMs: number;
  code: string;
  message: string;
  topic: string;
}

export interface IngestCountersSnapshot {
  received: Record<IngestKind, number>;
  badPayload: number;
  wrongTopic: number;
  duplicates: number;
  eventsCommitted: number;
  storeErrors: number;
  lastErrors: IngestErrorEntry[];
  /** Receipts sent to devices (receipt-sender.ts), when the collector sends them. */
  receipts?: { sent: number; events: number; refused: number; failed: number };
}

export type BadInputCounter = 'badPayload' | 'wrongTopic';

export const LAST_ERRORS_KEPT = 20;

export class IngestCounters {
  private readonly received: Record<IngestKind, number> = { event: 0, birth: 0, death: 0, telemetry: 0, status: 0 };
  private badPayload = 0;
  private wrongTopic = 0;
  private duplicates = 0;
  private eventsCommitted = 0;
  private storeErrors = 0;
  private readonly lastErrors: IngestErrorEntry[] = [];

  receivedOne(kind: IngestKind): void {
    this.received[kind]++;
  }

  badInput(counter: BadInputCounter, entry: IngestErrorEntry): void {
    this[counter]++;
    this.remember(entry);
  }

  storeError(entry: IngestErrorEntry): void {
    this.storeErrors++;
    this.remember(entry);
  }

  duplicate(): void {
    this.duplicates++;
  }

  eventCommitted(): void {
    this.eventsCommitted++;
  }

  snapshot(): IngestCountersSnapshot {
    return {
      received: { ...this.received }, badPayload: this.badPayload, wrongTopic: this.wrongTopic,
      duplicates: this.duplicates, eventsCommitted: this.eventsCommitted, storeErrors: this.storeErrors,
      lastErrors: this.lastErrors.map((e) => ({ ...e })),
    };
  }

  /** Newest first, at most LAST_ERRORS_KEPT; the topic and message may come from a client, so they are kept clipped. */
  private remember(entry: IngestErrorEntry): void {
    this.lastErrors.unshift({ ...entry, topic: clipText(entry.topic), message: clipText(entry.message, CLIP_AT * 2) });
    if (this.lastErrors.length > LAST_ERRORS_KEPT) this.lastErrors.length = LAST_ERRORS_KEPT;
  }
}
