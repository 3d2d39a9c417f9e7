/** The audit port on PostgreSQL: appends (in their own transaction), lists, pages, the chain's head and its verification. */
import type pg from 'pg';
import { ChainVerifier } from '../../audit/audit-chain.js';
import type { AuditPort } from '../port.js';
import type { StoredAuditRecord } from '../port/desk-repo.js';
import { recordFromRow, type AuditRow } from '../sqlite/audit-log.js';
import { alarmHistoryQuery } from '../alarm-history-sql.js';
import { auditPageSql } from '../audit-page-sql.js';
import { appendAudit } from './unit-writes.js';

export function createPgAudit(pool: pg.Pool, withTx: <T>(fn: (tx: pg.PoolClient) => Promise<T>) => Promise<T>): AuditPort {
  return {
    async append(records) {
      if (records.length > 0) await withTx((tx) => appendAudit(tx, records));
    },
    async list(f) {
      const { rows } = f.subject === undefined
        ? await pool.query<AuditRow>('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1) x ORDER BY seq', [f.limit])
        : await pool.query<AuditRow>('SELECT * FROM (SELECT * FROM audit_log WHERE subject_id = $1 ORDER BY seq DESC LIMIT $2) x ORDER BY seq', [f.subject, f.limit]);
      return rows.map(recordFromRow);
    },
    async page(q) {
      const countParams: unknown[] = [];
      const pageParams: unknown[] = [];
      const ph = (params: unknown[]) => (v: unknown): string => { params.push(v); return `$${params.length}`; };
      const sql = auditPageSql(q, ph(countParams), ph(pageParams));
      const [count, page] = await Promise.all([
        pool.query<{ n: number }>(sql.count.replace('count(*)', 'count(*)::int'), countParams),
        pool.query<AuditRow>(sql.rows, pageParams),
      ]);
      const records = page.rows.slice(0, q.limit).map(recordFromRow).reverse();
      return { records, total: count.rows[0]?.n ?? 0, before: page.rows.length > q.limit ? records[0]?.seq ?? null : null };
    },
    async alarmHistory(f) {
      const q = alarmHistoryQuery(f, { ph: (i) => `$${i}`, ilike: 'ILIKE' });
      return (await pool.query<AuditRow>(q.sql, q.args)).rows.map(recordFromRow);
    },
    async head() {
      const { rows } = await pool.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const row = rows[0];
      return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
    },
    async verify(anchors = []) {
      const verifier = new ChainVerifier(anchors);
      const pageSize = 5000;
      let after = 0;
      for (;;) {
        const { rows } = await pool.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, pageSize]);
        for (const row of rows) {
          let record: StoredAuditRecord;
          try {
            record = recordFromRow(row);
          } catch (err) {
            return verifier.unreadable(row.seq, `details are not JSON: ${(err as Error).message}`);
          }
          const broken = verifier.next(record);
          if (broken) return broken;
          after = row.seq;
        }
        if (rows.length < pageSize) return verifier.result();
      }
    },
  };
}
