/**
 * The tamper-evident audit log: every record the desk core hands out is appended with the hash of
 * the row before it, hash = SHA-256(auditChainInput(prevHash, record)) in hex; the first row's
 * prevHash is 64 zeros. Changing, inserting or deleting a row breaks the chain at that row (except
 * cutting rows off the end, which only an external copy of the head hash can show).
 */
import { hash as oneShotHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { auditChainInput, type Actor, type AuditDetail, type AuditRecord, type AuditSubjectKind } from '../core/audit-record.js';
import type { PendingWrites } from './pending-writes.js';
import { rowsOf, statementsByCount } from './statements-by-count.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface StoredAuditRecord extends AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  /** A subject id: a ticket number, an alarm "site/device/code", a site. */
  subject?: string;
  limit: number;
}

export interface AuditLog extends PendingWrites {
  /**
   * Inside a transaction the records are kept and written (hashed, in one multi-row insert) when the
   * store flushes its pending writes before the commit; outside one they are written at once.
   */
  append(records: readonly AuditRecord[]): void;
  /** Oldest first, the newest `limit` matching records. */
  list(filter: AuditFilter): StoredAuditRecord[];
}

export interface AuditRow {
  seq: number;
  at_ms: number;
  actor_kind: string;
  actor_id: string;
  /** Null when the actor has no `via` (and in rows written before schema v9). */
  actor_via: string | null;
  subject_kind: string;
  subject_id: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  reason: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export function auditHash(prevHash: string, record: AuditRecord): string {
  return oneShotHash('sha256', auditChainInput(prevHash, record), 'hex');
}

/** The record as it was hashed (without seq and hashes). */
export function auditRecordFromRow(r: AuditRow): AuditRecord {
  return {
    atMs: r.at_ms, actor: actorFromRow(r),
    subject: { kind: r.subject_kind as AuditSubjectKind, id: r.subject_id }, action: r.action, from: r.from_state, to: r.to_state,
    reason: r.reason, details: JSON.parse(r.details) as Record<string, AuditDetail>,
  };
}

function actorFromRow(r: AuditRow): Actor {
  const actor: Actor = { kind: r.actor_kind as Actor['kind'], id: r.actor_id };
  if (r.actor_via !== null) actor.via = r.actor_via;
  return actor;
}

export function recordFromRow(r: AuditRow): StoredAuditRecord {
  return { seq: r.seq, ...auditRecordFromRow(r), prevHash: r.prev_hash, hash: r.hash };
}

/** Rows per multi-row INSERT (13 parameters each, well under SQLite's limit). */
const ROWS_PER_INSERT = 64;
const AUDIT_COLUMNS = '(at_ms, actor_kind, actor_id, actor_via, subject_kind, subject_id, action, from_state, to_state, reason, details, prev_hash, hash)';
const AUDIT_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function createAuditLog(db: Database): AuditLog {
  const head = db.prepare<[], { hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insertOf = statementsByCount(db, (n) => `INSERT INTO audit_log ${AUDIT_COLUMNS} VALUES ${rowsOf(n, AUDIT_PLACEHOLDERS)}`);
  const bySubject = db.prepare<[string, number], AuditRow>('SELECT * FROM (SELECT * FROM audit_log WHERE subject_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq');
  const latest = db.prepare<[number], AuditRow>('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq');
  /** Chains and inserts the records after the stored head, ROWS_PER_INSERT rows per statement. */
  const appendRows = (records: readonly AuditRecord[]): void => {
    let prev = head.get()?.hash ?? GENESIS_HASH;
    for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
      const chunk = records.slice(start, start + ROWS_PER_INSERT);
      const params: Array<string | number | null> = [];
      for (const r of chunk) {
        const hash = auditHash(prev, r);
        params.push(r.atMs, r.actor.kind, r.actor.id, r.actor.via ?? null, r.subject.kind, r.subject.id, r.action, r.from, r.to, r.reason, JSON.stringify(r.details), prev, hash);
        prev = hash;
      }
      insertOf(chunk.length).run(params);
    }
  };
  // Alone they get a transaction of their own, so a chain is never half appended.
  const appendAll = db.transaction(appendRows);
  /** Records appended inside the current transaction, not written yet. */
  let pending: AuditRecord[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const records = pending;
    pending = [];
    appendRows(records);
  };
  return {
    append(records) {
      if (records.length === 0) return;
      if (!db.inTransaction) appendAll(records);
      else for (const r of records) pending.push(r);
    },
    list(f) {
      if (db.inTransaction) flush();
      return (f.subject === undefined ? latest.all(f.limit) : bySubject.all(f.subject, f.limit)).map(recordFromRow);
    },
    flush,
    discard() {
      pending = [];
    },
  };
}

export type ChainCheck =
  | { ok: true; records: number; headHash: string }
  | { ok: false; records: number; brokenSeq: number; reason: string; row: StoredAuditRecord | null };

/** Recomputes the whole chain, oldest first; stops at the first row that does not fit. */
export function verifyAuditChain(db: Database): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq: number | null = null;
  let records = 0;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    let record: StoredAuditRecord;
    try {
      record = recordFromRow(row);
    } catch (err) {
      return { ok: false, records, brokenSeq: row.seq, reason: `details are not JSON: ${(err as Error).message}`, row: null };
    }
    if (expectedSeq !== null && row.seq !== expectedSeq) {
      return { ok: false, records, brokenSeq: row.seq, reason: `rows ${expectedSeq}-${row.seq - 1} are missing`, row: record };
    }
    if (row.prev_hash !== prev) {
      return { ok: false, records, brokenSeq: row.seq, reason: 'prev_hash is not the hash of the row before it (a row was removed, inserted or rewritten)', row: record };
    }
    const hash = auditHash(prev, auditRecordFromRow(row));
    if (hash !== row.hash) {
      return { ok: false, records, brokenSeq: row.seq, reason: 'the row does not match its hash (its content was changed)', row: record };
    }
    prev = hash;
    expectedSeq = row.seq + 1;
    records++;
  }
  return { ok: true, records, headHash: prev };
}
