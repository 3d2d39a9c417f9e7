/** Alarm history records as the API shows them (pure): JSON transitions and a CSV table. */
import type { StoredAuditRecord } from '../store/port.js';
import type { Table } from '../core/reports/report-csv.js';
import type { AlarmTransitionJson } from './alarm-history-schemas.js';

export function transitionJson(r: StoredAuditRecord): AlarmTransitionJson {
  const [site = '', device = '', ...code] = r.subject.id.split('/');
  return {
    seq: r.seq, atMs: r.atMs, site, device, code: code.join('/'), transition: r.action, from: r.from, to: r.to,
    by: r.actor.id, byKind: r.actor.kind, reason: r.reason,
  };
}

/** Times as ISO 8601 UTC, so a spreadsheet in any zone reads them the same. */
export function transitionsTable(rows: readonly AlarmTransitionJson[]): Table {
  return {
    header: ['time_utc', 'site', 'device', 'code', 'transition', 'from', 'to', 'by', 'reason', 'seq'],
    keyColumns: 1,
    rows: rows.map((x) => [new Date(x.atMs).toISOString(), x.site, x.device, x.code, x.transition, x.from, x.to, x.by, x.reason, x.seq]),
  };
}
