/**
 * A uPlot time-series chart (loaded on demand, so the alarm console does not pay for it): one x
 * axis of epoch ms shown in the user's time zone, one series per parameter, optional vertical
 * markers (the fault). Re-created when the data change; resizes with its container.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { timeZone } from '../format';
import { t } from '../i18n';
import { legendTime, timeAxisLabels } from '../chart-time';

export interface ChartSeries { label: string; values: Array<number | null>; color: string; unit?: string }
export interface ChartProps {
  /** Epoch ms, ascending. */
  x: number[];
  series: ChartSeries[];
  markers?: Array<{ atMs: number; label: string; color: string }>;
  height?: number;
  ariaLabel: string;
  bars?: boolean;
  /** x values are categories (index labels) rather than times. */
  categories?: string[];
  /** Charts with the same key move their cursors together. */
  sync?: string;
}

export const PALETTE = ['#1d4ed8', '#c2410c', '#047857', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

type UPlotClass = typeof uPlot;
let uplotModule: Promise<UPlotClass> | undefined;
const loadUplot = (): Promise<UPlotClass> => {
  uplotModule ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
    .then(([m]) => ((m as unknown as { default?: UPlotClass }).default ?? (m as unknown as UPlotClass)));
  return uplotModule;
};

export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    void loadUplot().then((UPlot) => {
      const el = host.current;
      if (cancelled || !el) return;
      const width = Math.max(280, el.clientWidth);
      const tz = timeZone();
      const cats = props.categories;
      const opts: uPlot.Options = {
        width, height: props.height ?? 260,
        scales: { x: { time: !cats } },
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false }, ...(props.sync ? { sync: { key: props.sync } } : {}) },
        series: [
          cats ? { label: '', value: (_u, v) => (v == null ? '' : cats[v] ?? '') } : { label: t('chart.time'), value: (_u, v) => legendTime(v) },
          ...props.series.map((s) => ({
            label: s.unit ? `${s.label} (${s.unit})` : s.label, stroke: s.color, width: 2, spanGaps: true,
            ...(props.bars ? { fill: `${s.color}99`, paths: UPlot.paths.bars?.({ size: [0.6, 60] }), points: { show: false } } : {}),
          })),
        ],
        axes: [
          cats ? { values: (_u, splits) => splits.map((v) => cats[v] ?? '') }
            : {
              values: (u, splits) => {
                const labels = timeAxisLabels(splits, (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0));
                // The axis is drawn on a canvas: its labels are also kept on the host for tests and assistive tools.
                el.dataset.xLabels = labels.join('|');
                return labels;
              },
              size: 44,
            },
          { size: 56 },
        ],
        ...(cats ? {} : { tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1e3), tz) }),
        ...(props.markers && props.markers.length > 0 ? {
          hooks: {
            draw: [(u: uPlot) => {
              const ctx = u.ctx;
              for (const m of props.markers ?? []) {
                const xPos = Math.round(u.valToPos(m.atMs / 1000, 'x', true));
                if (xPos < u.bbox.left || xPos > u.bbox.left + u.bbox.width) continue;
                ctx.save();
                ctx.strokeStyle = m.color;
                ctx.lineWidth = 2;
                ctx.setLineDash([6, 4]);
                ctx.beginPath();
                ctx.moveTo(xPos, u.bbox.top);
                ctx.lineTo(xPos, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.fillStyle = m.color;
                ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
                ctx.fillText(m.label, xPos + 4, u.bbox.top + 14 * devicePixelRatio);
                ctx.restore();
              }
            }],
          },
        } : {}),
      };
      const xs = cats ? props.x : props.x.map((ms) => ms / 1000);
      try {
        plot = new UPlot(opts, [xs, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el);
      } catch (err) {
        setError((err as Error).message);
        return;
      }
      observer = new ResizeObserver(() => { if (plot && el.clientWidth > 0) plot.setSize({ width: el.clientWidth, height: props.height ?? 260 }); });
      observer.observe(el);
    }).catch((err: unknown) => setError(String(err)));
    return () => { cancelled = true; observer?.disconnect(); plot?.destroy(); };
  }, [props.x, props.series, props.markers]);
  return (
    <figure class="chart" aria-label={props.ariaLabel} role="img">
      <div ref={host} class="chart-host" data-testid="chart" data-points={props.x.length} />
      {error && <p class="error">{error}</p>}
    </figure>
  );
}
