/**
 * An audit page's SQL, shared by both store adapters: the newest records of a subject (or of all)
 * before a position in the chain (its sequence number), and the count of every matching record.
 */
import type { Placeholder } from './keyset-sql.js';
import type { AuditPageQuery } from './port/paging.js';

export function auditPageSql(q: AuditPageQuery, countPh: Placeholder, pagePh: Placeholder): { count: string; rows: string } {
  const clause = (w: string[]): string => (w.length ? `WHERE ${w.join(' AND ')}` : '');
  const countWhere = q.subject === undefined ? [] : [`subject_id = ${countPh(q.subject)}`];
  const where = q.subject === undefined ? [] : [`subject_id = ${pagePh(q.subject)}`];
  if (q.before !== undefined) where.push(`seq < ${pagePh(q.before)}`);
  return {
    count: `SELECT count(*) AS n FROM audit_log ${clause(countWhere)}`,
    rows: `SELECT * FROM audit_log ${clause(where)} ORDER BY seq DESC LIMIT ${pagePh(q.limit + 1)}`,
  };
}
