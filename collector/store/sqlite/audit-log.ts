/**
 * The tamper-evident audit log in SQLite (table audit_log): records are appended with their place
 * in the hash chain (collector/audit/audit-chain.ts holds the chain's rules).
 */
import type { Database } from 'better-sqlite3';
import { auditHash, ChainVerifier, GENESIS_HASH } from '../../audit/audit-chain.js';
import type { Actor, AuditDetail, AuditRecord, AuditSubjectKind } from '../../core/desk/audit-record.js';
import { rowsOf, statementsByCount } from './statements-by-count.js';
import type { StoredAuditRecord, AuditAnchor, AuditHead, AuditLog, ChainCheck } from '../port/desk-repo.js';
import type { PendingWrites } from './pending-writes.js';

export interface SqliteAuditLog extends AuditLog, PendingWrites {}

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

export function createAuditLog(db: Database): SqliteAuditLog {
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

/** Recomputes the whole chain, oldest first; stops at the first row that does not fit. */
export function verifyAuditChain(db: Database, anchors: readonly AuditAnchor[] = []): ChainCheck {
  const verifier = new ChainVerifier(anchors);
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    let record: StoredAuditRecord;
    try {
      record = recordFromRow(row);
    } catch (err) {
      return verifier.unreadable(row.seq, `details are not JSON: ${(err as Error).message}`);
    }
    const broken = verifier.next(record);
    if (broken) return broken;
  }
  return verifier.result();
}

/** The newest row's sequence number and hash. */
export function auditHead(db: Database): AuditHead | undefined {
  return db.prepare<[], AuditHead>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
}
