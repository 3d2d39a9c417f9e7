/** Minimal ticket and device rows written straight into a collector database, for read-side tests. */
import type { Database } from 'better-sqlite3';

export interface TicketRowInput {
  number: string;
  site?: string;
  device?: string;
  code?: string;
  title?: string;
  category?: string;
  severity?: string;
  priority?: string;
  status?: string;
  openedAtMs?: number;
  occurrences?: number;
  adapterId?: string;
  /** Extra columns (schema v2 and later), e.g. { resolution: JSON.stringify(...) }. */
  extra?: Record<string, string | number | null>;
}

export function insertTicket(db: Database, t: TicketRowInput): number {
  const opened = t.openedAtMs ?? 1_700_000_000_000;
  const row: Record<string, string | number | null> = {
    number: t.number, title: t.title ?? 'Output overcurrent trip', device: t.device ?? 'drive-1', site: t.site ?? 'plant-a',
    code: t.code ?? 'vfd.overcurrent', category: t.category ?? 'hardware', severity: t.severity ?? 'critical', priority: t.priority ?? 'P1',
    priority_reason: 'test', status: t.status ?? 'new', fault_active: 0, occurrences: t.occurrences ?? 1, opened_at_ms: opened,
    first_seen_ms: opened, last_seen_ms: opened, cleared_at_ms: null, closed_at_ms: null, snapshot: '[]', log_excerpt: '[]', remedy: '',
    adapter_id: t.adapterId ?? 'generic-vfd', ...t.extra,
  };
  const cols = Object.keys(row);
  const info = db.prepare(`INSERT INTO tickets (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  return Number(info.lastInsertRowid);
}

export function insertDevice(db: Database, d: { site: string; device: string; model: string; firmware: string }): void {
  db.prepare(`INSERT INTO devices (site, device, online, model, firmware, adapter_id, agent_version, parameters, session_id, last_seen_ms,
    last_birth_ms, last_death_ms, last_death_reason, last_status) VALUES (?, ?, 1, ?, ?, 'generic-vfd', 'test', '[]', 's', 0, NULL, NULL, '', NULL)`)
    .run(d.site, d.device, d.model, d.firmware);
}
