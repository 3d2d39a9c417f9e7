/** Pages of the audit log on SQLite (see audit-page-sql.ts). */
import type { Database } from 'better-sqlite3';
import { auditPageSql } from '../audit-page-sql.js';
import type { StoredAuditRecord } from '../port/desk-repo.js';
import type { AuditPage, AuditPageQuery } from '../port/paging.js';
import { recordFromRow, type AuditRow } from './audit-log.js';

export function sqliteAuditPage(db: Database, q: AuditPageQuery): AuditPage<StoredAuditRecord> {
  const countParams: unknown[] = [];
  const pageParams: unknown[] = [];
  const sql = auditPageSql(q, (v) => { countParams.push(v); return '?'; }, (v) => { pageParams.push(v); return '?'; });
  const total = (db.prepare(sql.count).get(...countParams) as { n: number }).n;
  const rows = db.prepare(sql.rows).all(...pageParams) as AuditRow[];
  const records = rows.slice(0, q.limit).map(recordFromRow).reverse();
  return { records, total, before: rows.length > q.limit ? records[0]?.seq ?? null : null };
}
