/**
 * The audit trail's hash chain, whatever stores it: every record carries the hash of the one
 * before it, hash = SHA-256(auditChainInput(prevHash, record)) in hex; the first record's prevHash
 * is 64 zeros. Changing, inserting or deleting a record breaks the chain at that record (cutting
 * records off the end shows only against an external copy of the head hash). An adapter appends
 * with `auditHash` and verifies by feeding its records, oldest first, to a ChainVerifier.
 */
import { hash as oneShotHash } from 'node:crypto';
import { auditChainInput, type AuditRecord } from '../core/desk/audit-record.js';
import type { ChainCheck, StoredAuditRecord } from '../store/port.js';

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, record: AuditRecord): string {
  return oneShotHash('sha256', auditChainInput(prevHash, record), 'hex');
}

type Broken = Extract<ChainCheck, { ok: false }>;

/** Checks stored records one by one, oldest first; the first that does not fit ends the walk. */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq: number | null = null;
  private records = 0;

  /** A record the store could not even read back (e.g. details that are not JSON). */
  unreadable(seq: number, why: string): Broken {
    return { ok: false, records: this.records, brokenSeq: seq, reason: why, row: null };
  }

  /** Null while the chain holds; the break otherwise. */
  next(stored: StoredAuditRecord): Broken | null {
    const { seq, prevHash, hash, ...record } = stored;
    if (this.expectedSeq !== null && seq !== this.expectedSeq) {
      return { ok: false, records: this.records, brokenSeq: seq, reason: `rows ${this.expectedSeq}-${seq - 1} are missing`, row: stored };
    }
    if (prevHash !== this.prev) {
      return { ok: false, records: this.records, brokenSeq: seq, reason: 'prev_hash is not the hash of the row before it (a row was removed, inserted or rewritten)', row: stored };
    }
    const computed = auditHash(this.prev, record);
    if (computed !== hash) {
      return { ok: false, records: this.records, brokenSeq: seq, reason: 'the row does not match its hash (its content was changed)', row: stored };
    }
    this.prev = computed;
    this.expectedSeq = seq + 1;
    this.records++;
    return null;
  }

  /** The whole chain held: how many records, and the head hash. */
  result(): ChainCheck {
    return { ok: true, records: this.records, headHash: this.prev };
  }
}
