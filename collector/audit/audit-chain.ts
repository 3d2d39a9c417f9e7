/**
 * The audit trail's hash chain, whatever stores it: every record carries the hash of the one
 * before it, hash = SHA-256(auditChainInput(prevHash, record)) in hex; the first record's prevHash
 * is 64 zeros. Changing, inserting or deleting a record breaks the chain at that record. Cutting
 * records off the end shows only against anchors kept outside the database: signed checkpoints
 * (collector/audit/checkpoint-file.ts) of an earlier head, which the verifier is given. An adapter
 * appends with `auditHash` and verifies by feeding its records, oldest first, to a ChainVerifier.
 */
import { hash as oneShotHash } from 'node:crypto';
import { auditChainInput, type AuditRecord } from '../core/desk/audit-record.js';
import type { AuditAnchor, ChainCheck, StoredAuditRecord } from '../store/port.js';

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, record: AuditRecord): string {
  return oneShotHash('sha256', auditChainInput(prevHash, record), 'hex');
}

type Broken = Extract<ChainCheck, { ok: false }>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Checks stored records one by one, oldest first; the first that does not fit ends the walk. */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq: number | null = null;
  private lastSeq = 0;
  private records = 0;
  /** Anchored hashes by sequence number. */
  private readonly anchors = new Map<number, AuditAnchor>();

  /** anchors: rows whose hash is known from outside the database (signed checkpoints). */
  constructor(anchors: readonly AuditAnchor[] = []) {
    for (const a of anchors) this.anchors.set(a.seq, a);
  }

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
    const anchor = this.anchors.get(seq);
    if (anchor && anchor.hash !== computed) {
      return {
        ok: false, records: this.records, brokenSeq: seq, row: stored,
        reason: `the checkpoint of ${iso(anchor.atMs)} says row ${seq} had hash ${anchor.hash} (the chain from here on was rewritten)`,
      };
    }
    this.prev = computed;
    this.expectedSeq = seq + 1;
    this.lastSeq = seq;
    this.records++;
    return null;
  }

  /** The chain held, and reaches every anchor: how many records, and the head; else where it ends too soon. */
  result(): ChainCheck {
    let furthest: AuditAnchor | undefined;
    for (const a of this.anchors.values()) if (a.seq > this.lastSeq && (!furthest || a.seq > furthest.seq)) furthest = a;
    if (furthest) {
      return {
        ok: false, records: this.records, brokenSeq: this.lastSeq + 1, row: null,
        reason: `rows ${this.lastSeq + 1}-${furthest.seq} are missing: the checkpoint of ${iso(furthest.atMs)} saw the chain up to row ${furthest.seq}, `
          + `the log now ends at row ${this.lastSeq} (its newest rows were deleted)`,
      };
    }
    return { ok: true, records: this.records, headHash: this.prev, headSeq: this.lastSeq };
  }
}
