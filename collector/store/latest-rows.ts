/**
 * Last-known values, shared by both store adapters: the newest sample per site, device and
 * parameter of an ingest batch (what the batch upserts), and the stored row back to a sample.
 */
import type { Quality, QualityReason } from '../../protocol/values.js';
import type { IngestMessage } from '../core/devices/ingest-message.js';
import type { LatestSample, TelemetryBucket } from './port/latest-values.js';

export interface LatestRow {
  site: string;
  device: string;
  parameter: string;
  value: number;
  quality: string;
  reason: string | null;
  text: string | null;
  /** A number from SQLite; PostgreSQL's BIGINT may arrive as a string. */
  time_ms: number | string;
}

/** Column order of the upsert's values. */
export const LATEST_COLUMNS = '(site, device, parameter, value, quality, reason, text, time_ms)';

/** Keeps the newer of the stored and the incoming sample (SQLite and PostgreSQL alike). */
export const LATEST_UPSERT = `ON CONFLICT (site, device, parameter) DO UPDATE SET value = excluded.value, quality = excluded.quality,
  reason = excluded.reason, text = excluded.text, time_ms = excluded.time_ms WHERE excluded.time_ms >= telemetry_latest.time_ms`;

export type LatestValues = [string, string, string, number, string, string | null, string | null, number];

/**
 * The newest sample per key among the batch's telemetry (a sample without time counts at its
 * arrival), in key order. One row per key, so a single multi-row upsert never touches a row twice.
 */
export function latestOfBatch(messages: readonly IngestMessage[]): LatestValues[] {
  const newest = new Map<string, LatestValues>();
  for (const m of messages) {
    if (m.kind !== 'telemetry') continue;
    const { site, device } = m.telemetry;
    for (const s of m.telemetry.samples) {
      const time = s.timeMs > 0 ? s.timeMs : m.receivedMs;
      const key = `${site}\u0000${device}\u0000${s.parameter}`;
      const had = newest.get(key);
      if (had && had[7] > time) continue;
      newest.set(key, [site, device, s.parameter, s.value, s.quality, s.reason ?? null, s.text ?? null, time]);
    }
  }
  return [...newest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

export function latestFromRow(r: LatestRow): LatestSample {
  return {
    site: r.site, device: r.device, parameter: r.parameter, value: r.value, quality: r.quality as Quality, timeMs: Number(r.time_ms),
    ...(r.reason ? { reason: r.reason as QualityReason } : {}), ...(r.text !== null ? { text: r.text } : {}),
  };
}

/** The WHERE clause of a latest-values query and its arguments; `ph(i)` writes the i-th (1-based) placeholder. */
export function latestWhere(f: { site?: string; device?: string; reason?: string }, ph: (i: number) => string): { sql: string; args: string[] } {
  const parts: string[] = [];
  const args: string[] = [];
  if (f.site !== undefined) { args.push(f.site); parts.push(`site = ${ph(args.length)}`); }
  if (f.device !== undefined) { args.push(f.device); parts.push(`device = ${ph(args.length)}`); }
  if (f.reason !== undefined) { args.push(f.reason); parts.push(`reason = ${ph(args.length)}`); }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/**
 * A trend bucket's aggregates (after `SELECT parameter, <bucket> AS b, `), the same SQL for SQLite and
 * PostgreSQL: mean and extremes over the readings that carry a value (good, uncertain), never over a
 * bad sample's meaningless 0 or a stale repeat of an old value; the others are counted as gaps, with
 * one of their reasons (the greatest by name, so the answer is stable). Aggregate FILTER clauses (SQLite
 * 3.30+, PostgreSQL 9.4+): tests/bench/trend-buckets.bench.ts measured CASE expressions much slower.
 */
export const BUCKET_AGGREGATES = `avg(value) FILTER (WHERE quality IN ('good', 'uncertain')) AS avg,
  min(value) FILTER (WHERE quality IN ('good', 'uncertain')) AS min, max(value) FILTER (WHERE quality IN ('good', 'uncertain')) AS max,
  count(*) FILTER (WHERE quality IN ('good', 'uncertain')) AS n, count(*) FILTER (WHERE quality NOT IN ('good', 'uncertain')) AS gaps,
  max(reason) FILTER (WHERE quality NOT IN ('good', 'uncertain')) AS reason`;

export interface BucketRow {
  parameter: string;
  b: number | string;
  avg: number | null;
  min: number | null;
  max: number | null;
  n: number | string;
  gaps: number | string;
  reason: string | null;
}

export function bucketFromRow(r: BucketRow, bucketMs: number): TelemetryBucket {
  const b: TelemetryBucket = { parameter: r.parameter, timeMs: Number(r.b) * bucketMs, avg: r.avg, min: r.min, max: r.max, count: Number(r.n), gaps: Number(r.gaps) };
  if (r.reason) b.reason = r.reason as QualityReason;
  return b;
}
