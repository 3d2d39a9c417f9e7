/**
 * Last-known values: the newest sample of every parameter of every device, kept by the store as
 * telemetry arrives (never pruned with the telemetry window, so a device silent for days still
 * shows what it last said, with its time and quality).
 */
import type { QualityReason, Sample } from '../../../protocol/values.js';

export interface LatestFilter {
  site?: string;
  device?: string;
  /** Only samples of this quality reason (e.g. 'unsupported': the devices a register refuses). */
  reason?: QualityReason;
}

/** A device's newest sample of one parameter. */
export interface LatestSample extends Sample {
  site: string;
  device: string;
}

/** A trend query: one device's telemetry in fixed time buckets (all parameters unless named). */
export interface TelemetryBucketWindow {
  site: string;
  device: string;
  fromMs: number;
  toMs: number;
  bucketMs: number;
  parameters?: readonly string[];
}

/**
 * One parameter over one bucket: the bucket's start (a multiple of bucketMs), the mean and extremes
 * of its readings that carry a value (good, uncertain; null when none did) and their count, and the
 * samples without a usable value (bad, stale) as `gaps`, with one of their reasons.
 */
export interface TelemetryBucket {
  parameter: string;
  timeMs: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  count: number;
  gaps: number;
  reason?: QualityReason;
}
