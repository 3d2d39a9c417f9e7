/**
 * The outbox's receipt writes, each run inside one of the outbox's transactions (outbox.ts):
 * mark PUBACKed events sent with their next resend time, delete receipted events, turn events a
 * collector refused into permanent dead letters.
 */
import { createHash } from 'node:crypto';
import { resendAt, type ResendPolicy } from '../core/receipt-resend.js';
import type { Statements } from './statements.js';
import type { HeldTally } from './tally.js';
import type { EventRefusal } from './types.js';

/** What `refused` holds for an event a collector refused as bad input (broker refusals hold their reason code, > 0). */
export const REFUSED_BY_COLLECTOR = -1;

/** Counts one more PUBACKed send of each event and sets when it is due again; returns how many were still stored. */
export function markSentRows(st: Statements, seqs: readonly number[], nowMs: number, policy: ResendPolicy): number {
  let marked = 0;
  for (const seq of seqs) {
    const r = st.markSent.get(seq);
    if (!r) continue;
    st.setResendAt.run(resendAt(nowMs, r.sends, policy), seq);
    marked++;
  }
  return marked;
}

/** Deletes the device's events with these ids, whatever their state; returns how many there were. */
export function deleteReceiptedRows(st: Statements, held: HeldTally, device: string, eventIds: readonly string[]): number {
  let deleted = 0;
  for (const id of eventIds) {
    for (const r of st.deleteReceipted.all(device, id)) {
      held.remove(r.device, r.kind, r.bytes);
      deleted++;
    }
  }
  return deleted;
}

/** Marks the device's events a refusal names (by id, or else by the SHA-256 of the stored payload); returns their seqs. */
export function refuseRows(st: Statements, device: string, refusals: readonly EventRefusal[]): number[] {
  const ids = new Set(refusals.map((r) => r.id).filter((id) => id.length > 0));
  const digests = new Set(refusals.map((r) => Buffer.from(r.payloadSha256).toString('hex')));
  const marked: number[] = [];
  for (const row of st.eventPayloads.all(device)) {
    const hit = (row.event_id !== null && ids.has(row.event_id)) || digests.has(createHash('sha256').update(row.payload).digest('hex'));
    if (!hit) continue;
    st.deadLetter.run(REFUSED_BY_COLLECTOR, row.seq);
    marked.push(row.seq);
  }
  return marked;
}
