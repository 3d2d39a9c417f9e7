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

/** One parameter over one bucket: the bucket's start (a multiple of bucketMs), its mean, extremes and sample count. */
export interface TelemetryBucket {
  parameter: string;
  timeMs: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}
