/**
 * Which receipts one committed ingest batch owes, as plain data (no I/O): one per device that had
 * fault events in the batch, naming every event of it the store now holds — committed by this
 * batch or already stored (a resend: it must be receipted too, or the agent resends it forever).
 * Other kinds (birth, status, telemetry…) are acknowledged by the broker alone and get none.
 */
import type { Receipt, RefusedEvent } from '../../../protocol/values.js';
import type { CommitOutcome, IngestMessage } from './ingest-message.js';

export function receiptsForBatch(batch: readonly IngestMessage[], outcomes: readonly CommitOutcome[], timeMs: number): Receipt[] {
  const byDevice = new Map<string, Receipt>();
  batch.forEach((m, i) => {
    if (m.kind !== 'event' || outcomes[i] === undefined) return;
    const { site, device, id } = m.event;
    const key = `${site}/${device}`;
    let r = byDevice.get(key);
    if (!r) {
      r = { site, device, timeMs, eventIds: [], refused: [] };
      byDevice.set(key, r);
    }
    r.eventIds.push(id);
  });
  return [...byDevice.values()];
}

/** The receipt for an event dropped as bad input: the agent keeps it as a permanent dead letter instead of resending it. */
export function refusalReceipt(site: string, device: string, refused: RefusedEvent, timeMs: number): Receipt {
  return { site, device, timeMs, eventIds: [], refused: [refused] };
}
