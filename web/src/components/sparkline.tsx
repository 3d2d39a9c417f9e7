/**
 * A small trend line (SVG) of [timeMs, value] points; empty when there are fewer than two. Given
 * the page's clock (nowMs, the server's time), the time axis runs to now, so a device that stopped
 * reporting shows an empty stretch after its last point that grows as the clock moves; `stale`
 * draws the line muted and dashed (its last value is older than its stale age).
 */
export function Sparkline(props: { points: ReadonlyArray<readonly [number, number]>; label: string; width?: number; height?: number; nowMs?: number; stale?: boolean }) {
  const w = props.width ?? 96;
  const h = props.height ?? 24;
  const pts = props.points;
  const stale = props.stale === true;
  if (pts.length < 2) return <svg class="spark" width={w} height={h} aria-hidden="true" data-points="0" data-stale={String(stale)} />;
  const t0 = (pts[0] as readonly [number, number])[0];
  const t1 = Math.max((pts[pts.length - 1] as readonly [number, number])[0], props.nowMs ?? -Infinity);
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of pts) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const dx = t1 > t0 ? (w - 2) / (t1 - t0) : 0;
  const dy = hi > lo ? (h - 4) / (hi - lo) : 0;
  const d = pts.map(([t, v]) => `${(1 + (t - t0) * dx).toFixed(1)},${(h - 2 - (hi > lo ? (v - lo) * dy : (h - 4) / 2)).toFixed(1)}`).join(' ');
  return (
    <svg class={stale ? 'spark stale' : 'spark'} width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.label} data-points={pts.length} data-stale={String(stale)}>
      <polyline points={d} fill="none" stroke="currentColor" stroke-width="1.5" {...(stale ? { 'stroke-dasharray': '3 2' } : {})} />
    </svg>
  );
}
