/**
 * A value's quality as the dashboard shows it: the quality and why in the UI language, a last-known
 * value turned stale once it is older than its parameter's stale age (the server's rule,
 * collector/core/devices/value-staleness.ts, applied again as the page's clock moves), and the
 * marks that say why a chart has a gap.
 */
import { t, tx } from './i18n';

/** The collector's own rule, not a copy (pure, type-only imports: nothing of the server reaches the bundle but this function). */
export { aged as agedValue } from '../../collector/core/devices/value-staleness.js';

/** "stale: not refreshed in time", "bad: the device did not answer in time", in the UI language. */
export function qualityText(v: { quality: string; reason?: string }): string {
  const quality = tx('quality', v.quality);
  return v.reason ? t('quality.withReason', { quality, reason: tx('qualityReason', v.reason) }) : quality;
}

/** A chart gap: where a series has no value, since when, and why. */
export interface Gap {
  name: string;
  fromMs: number;
  /** Absent for readings stored without one (before schema version 16). */
  reason?: string;
}

/** Why there is no value, in the UI language ("bad" when the reading did not say). */
export function reasonLabel(reason: string | undefined): string {
  return reason ? tx('qualityReason', reason) : t('quality.bad');
}

/**
 * The gaps of one series, in time order: a run of points without a value (bad or stale; for
 * trends, buckets with no value) starts a gap, marked once with its first reason.
 */
export function gapsOf(name: string, points: ReadonlyArray<{ timeMs: number; hasValue: boolean; reason?: string }>): Gap[] {
  const gaps: Gap[] = [];
  let open = false;
  for (const p of points) {
    if (p.hasValue) { open = false; continue; }
    if (open) continue;
    open = true;
    gaps.push(p.reason ? { name, fromMs: p.timeMs, reason: p.reason } : { name, fromMs: p.timeMs });
  }
  return gaps;
}

/** Gaps counted by reason, as "the device did not answer in time ×3, …" in the UI language. */
export function gapSummary(reasons: ReadonlyArray<string | undefined>): string {
  const counts = new Map<string | undefined, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${reasonLabel(r)} ×${n}`).join(', ');
}

export const GAP_COLOR = '#6b7280';

/** Chart markers for gaps (one per gap run). */
export function gapMarkers(gaps: readonly Gap[], withName: boolean): Array<{ atMs: number; label: string; color: string }> {
  return gaps.map((g) => ({
    atMs: g.fromMs, color: GAP_COLOR,
    label: withName ? t('trend.gap', { name: g.name, reason: reasonLabel(g.reason) }) : t('ticket.gapMarker', { reason: reasonLabel(g.reason) }),
  }));
}
