/**
 * An alarm page's SQL, shared by both store adapters: the alarm filter, newest change first with
 * the id as tie-break (keyset: a position is the last alarm's change time and id), and the count
 * of every alarm the filter matches. `bool` gives a boolean parameter as the database stores it.
 */
import type { Alarm } from '../core/alarms/alarm-state.js';
import { keysetAfter, keysetOrder, type Placeholder } from './keyset-sql.js';
import type { AlarmFilter, StoredAlarm } from './port/desk-repo.js';
import type { PagePosition } from './port/paging.js';

export const SELECT_ALARM_ROWS = `SELECT a.id, a.data, c.chattering FROM alarms a
  LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code`;

export interface AlarmRowData { id: number | string; data: string; chattering: number | boolean | null }

export const storedAlarmFromRow = (r: AlarmRowData): StoredAlarm =>
  ({ id: Number(r.id), alarm: JSON.parse(r.data) as Alarm, chattering: r.chattering === 1 || r.chattering === true });

export const alarmPosition = (s: StoredAlarm): PagePosition => ({ value: s.alarm.changedAtMs, id: s.id });

function filterSql(f: AlarmFilter, ph: Placeholder, bool: (b: boolean) => unknown): string[] {
  const where: string[] = [];
  const add = (expr: string, value: unknown): void => {
    if (value !== undefined) where.push(`${expr} = ${ph(value)}`);
  };
  add('a.site', f.site); add('a.device', f.device); add('a.state', f.state); add('a.severity', f.severity);
  add('a.active', f.active === undefined ? undefined : bool(f.active));
  add(`coalesce(c.chattering, ${String(bool(false))})`, f.chattering === undefined ? undefined : bool(f.chattering));
  return where;
}

export function alarmPageSql(f: AlarmFilter & { after?: PagePosition | undefined }, countPh: Placeholder, pagePh: Placeholder, bool: (b: boolean) => unknown): { count: string; rows: string } {
  const clause = (w: string[]): string => (w.length ? `WHERE ${w.join(' AND ')}` : '');
  const countWhere = filterSql(f, countPh, bool);
  const where = filterSql(f, pagePh, bool);
  if (f.after) where.push(keysetAfter('a.changed_at_ms', 'a.id', 'desc', f.after, pagePh));
  return {
    count: `SELECT count(*) AS n FROM alarms a LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code ${clause(countWhere)}`,
    rows: `${SELECT_ALARM_ROWS} ${clause(where)} ${keysetOrder('a.changed_at_ms', 'a.id', 'desc')} LIMIT ${pagePh(f.limit + 1)}`,
  };
}
