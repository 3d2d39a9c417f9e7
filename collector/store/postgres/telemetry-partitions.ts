/**
 * Telemetry partition upkeep over the SQL functions of schema-telemetry.ts: make sure the days a
 * write touches exist, keep a few days ahead, drop days past retention. Safe to call from every
 * collector at once (the functions serialize on an advisory lock).
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Queryable } from './pool.js';
import { DAY_MS } from './schema-telemetry.js';

export interface TelemetryPartition {
  name: string;
  fromMs: number;
  toMs: number;
}

function checkMs(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms)) {
    throw new FaultlineError('FL_ERR_STORE_TELEMETRY_TIME', `${what} must be an integer epoch millisecond value, got ${ms}`, {
      context: { [what]: ms }, hint: 'pass Date.now()-style milliseconds',
    });
  }
}

/** Creates the missing day partitions covering [fromMs, toMs]; returns how many were created. */
export async function ensureTelemetryPartitions(q: Queryable, fromMs: number, toMs: number): Promise<number> {
  checkMs('fromMs', fromMs);
  checkMs('toMs', toMs);
  const { rows } = await q.query<{ created: number }>('SELECT fl_telemetry_ensure($1, $2) AS created', [fromMs, toMs]);
  return rows[0]?.created ?? 0;
}

/** Today's partition, `daysBehind` before it and `daysAhead` after it (the collector's start and daily upkeep). */
export async function ensureTelemetryDaysAround(q: Queryable, nowMs: number, daysBehind = 1, daysAhead = 3): Promise<number> {
  return ensureTelemetryPartitions(q, nowMs - daysBehind * DAY_MS, nowMs + daysAhead * DAY_MS);
}

/** Drops the partitions whose samples are all older than `cutoffMs`; returns their names. */
export async function dropTelemetryBefore(q: Queryable, cutoffMs: number): Promise<string[]> {
  checkMs('cutoffMs', cutoffMs);
  const { rows } = await q.query<{ name: string }>('SELECT fl_telemetry_drop_before AS name FROM fl_telemetry_drop_before($1)', [cutoffMs]);
  return rows.map((r) => r.name);
}

export async function listTelemetryPartitions(q: Queryable): Promise<TelemetryPartition[]> {
  const { rows } = await q.query<{ name: string; from_ms: number; to_ms: number }>('SELECT name, from_ms, to_ms FROM fl_telemetry_partitions()');
  return rows.map((r) => ({ name: r.name, fromMs: r.from_ms, toMs: r.to_ms }));
}
