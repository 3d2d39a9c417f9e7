/**
 * Telemetry's day partitions around ingest: before a batch, the partitions of the days its samples
 * fall on are made (in a short transaction of their own, remembered once made); after it, day
 * partitions past retention are dropped, at most once an hour.
 */
import type pg from 'pg';
import type { Logger } from '../../../protocol/logger.js';
import type { IngestMessage } from '../../core/devices/ingest-message.js';
import { DAY_MS } from './schema-telemetry.js';
import { dropTelemetryBefore, ensureTelemetryPartitions } from './telemetry-partitions.js';

const DROP_EVERY_MS = 60 * 60 * 1000;

export class TelemetryUpkeep {
  /** Telemetry days whose partition is known to exist. */
  private readonly partitionDays = new Set<number>();
  private lastDropMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly pool: pg.Pool, private readonly retentionMs: number, private readonly log: Logger) {}

  /** Makes the partitions of the days the batch's samples (within retention) fall on. */
  async ensurePartitions(messages: readonly IngestMessage[], nowMs: number): Promise<void> {
    const days = new Set<number>();
    for (const m of messages) {
      if (m.kind !== 'telemetry') continue;
      for (const s of m.telemetry.samples) {
        const time = s.timeMs > 0 ? s.timeMs : m.receivedMs;
        if (time < nowMs - this.retentionMs) continue;
        const day = Math.floor(time / DAY_MS);
        if (!this.partitionDays.has(day)) days.add(day);
      }
    }
    // In a short transaction of its own: the DDL would otherwise hold telemetry's lock until the batch commits.
    for (const day of days) {
      await ensureTelemetryPartitions(this.pool, day * DAY_MS, day * DAY_MS + DAY_MS - 1);
      this.partitionDays.add(day);
    }
  }

  /** Drops the day partitions past retention, at most once an hour; a failure is logged and tried again later. */
  async dropOld(nowMs: number): Promise<void> {
    if (nowMs - this.lastDropMs < DROP_EVERY_MS) return;
    this.lastDropMs = nowMs;
    try {
      const dropped = await dropTelemetryBefore(this.pool, nowMs - this.retentionMs);
      if (dropped.length > 0) {
        this.partitionDays.clear();
        this.log.info({ partitions: dropped }, 'telemetry partitions past retention dropped');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'dropping old telemetry partitions failed; trying again later');
    }
  }
}
