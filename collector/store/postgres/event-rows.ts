/**
 * Fault events into PostgreSQL, a batch per statement: one array per column expanded by UNNEST, as
 * a prepared statement. A multi-row VALUES list of 500 events is 10,000 parameters PostgreSQL
 * parses and plans again for each batch; the UNNEST statement has 20, is planned once per
 * connection, and costs the same however many events it carries (tests/bench/pg-events.bench.ts).
 */
import type pg from 'pg';
import type { FaultEvent } from '../../../protocol/values.js';
import type { DeviceState } from '../../core/devices/device-registry.js';

const COLUMNS = [
  ['id', 'text'], ['device', 'text'], ['site', 'text'], ['seq', 'bigint'], ['time_ms', 'bigint'], ['source', 'text'], ['category', 'text'],
  ['code', 'text'], ['severity', 'text'], ['transition', 'text'], ['message', 'text'], ['snapshot', 'jsonb'], ['log_excerpt', 'jsonb'],
  ['labels', 'jsonb'], ['adapter_id', 'text'], ['remedy', 'text'], ['received_ms', 'bigint'], ['ticket_id', 'bigint'], ['model', 'text'],
  ['firmware', 'text'],
] as const;

const INSERT_EVENTS = `INSERT INTO events (${COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) ON CONFLICT (id) DO NOTHING`;

export type EventRow = unknown[];

/** One event as the values of the events table's columns, in COLUMNS' order. */
export function eventRow(e: FaultEvent, receivedMs: number, ticketId: number | null, device: DeviceState | undefined): EventRow {
  return [e.id, e.device, e.site, e.seq, e.timeMs, e.source, e.category, e.code, e.severity, e.transition, e.message,
    JSON.stringify(e.snapshot), JSON.stringify(e.logExcerpt), JSON.stringify(e.labels), e.adapterId, e.remedy, receivedMs, ticketId,
    device?.model ?? '', device?.firmware ?? ''];
}

/** Inserts the rows (an id stored already is skipped); returns how many were inserted. */
export async function insertEvents(tx: pg.ClientBase, rows: readonly EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = COLUMNS.map((_, c) => rows.map((r) => r[c]));
  const res = await tx.query({ name: 'faultline-insert-events', text: INSERT_EVENTS, values });
  return res.rowCount ?? 0;
}
