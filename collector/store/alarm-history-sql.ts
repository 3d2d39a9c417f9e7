/**
 * The alarm-history query of both store adapters: one WHERE clause over audit_log built from the
 * filter, with the dialect's placeholders and its case-insensitive match (SQLite's LIKE is one for
 * ASCII; PostgreSQL needs ILIKE). Site, device and code match whole parts of the subject id.
 */
import type { AlarmHistoryFilter } from './port/alarm-history.js';

export interface HistoryDialect {
  /** The i-th (1-based) placeholder. */
  ph(i: number): string;
  /** Case-insensitive LIKE. */
  ilike: 'LIKE' | 'ILIKE';
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function alarmHistoryQuery(f: AlarmHistoryFilter, d: HistoryDialect): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const arg = (v: unknown): string => { args.push(v); return d.ph(args.length); };
  const where = ["subject_kind = 'alarm'"];
  if (f.site !== undefined && f.device !== undefined && f.code !== undefined) {
    where.push(`subject_id = ${arg(`${f.site}/${f.device}/${f.code}`)}`);
  } else {
    if (f.site !== undefined) where.push(`substr(subject_id, 1, ${arg(f.site.length + 1)}) = ${arg(`${f.site}/`)}`);
    if (f.device !== undefined) where.push(`subject_id LIKE ${arg(`%/${escapeLike(f.device)}/%`)} ESCAPE '\\'`);
    if (f.code !== undefined) where.push(`substr(subject_id, length(subject_id) - ${arg(f.code.length)}) = ${arg(`/${f.code}`)}`);
  }
  if (f.subjects !== undefined) {
    if (f.subjects.length === 0) where.push('1 = 0');
    else where.push(`subject_id IN (${f.subjects.map((s) => arg(s)).join(', ')})`);
  }
  if (f.action !== undefined) where.push(`action = ${arg(f.action)}`);
  if (f.toState !== undefined) where.push(`to_state = ${arg(f.toState)}`);
  if (f.fromMs !== undefined) where.push(`at_ms >= ${arg(f.fromMs)}`);
  if (f.toMs !== undefined) where.push(`at_ms <= ${arg(f.toMs)}`);
  if (f.beforeSeq !== undefined) where.push(`seq < ${arg(f.beforeSeq)}`);
  const text = f.text?.trim();
  if (text) {
    const p = `%${escapeLike(text)}%`;
    where.push(`(subject_id ${d.ilike} ${arg(p)} ESCAPE '\\' OR reason ${d.ilike} ${arg(p)} ESCAPE '\\' OR actor_id ${d.ilike} ${arg(p)} ESCAPE '\\')`);
  }
  return { sql: `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${arg(f.limit)}`, args };
}
