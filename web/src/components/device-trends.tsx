/**
 * A device's trends: any of its parameters over 1 h / 8 h / 24 h on one time axis, from stored
 * telemetry in time buckets; drag to zoom (uPlot), Earlier/Later to pan by half the window, Now to
 * come back; alarm raises, clears, acknowledgements and applied writes marked. Read-only.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, enc, qs } from '../api';
import { t } from '../i18n';
import { live } from '../live';
import { errorText } from '../session';
import type { CatalogueEntry } from '../types';
import type { Trend } from '../plant/plant-types';
import type { MarksJson } from '../../../collector/api/plant-schemas.js';
import { Chart, PALETTE, type ChartSeries } from './chart';
import { gapMarkers, gapsOf, reasonLabel } from '../quality';
import { fmtTime } from '../format';
import '../plant/plant.css';

const RANGES = [['1h', 3_600_000], ['8h', 8 * 3_600_000], ['24h', 24 * 3_600_000]] as const;
type Range = (typeof RANGES)[number][0];
const MARK_COLORS: Record<MarksJson['marks'][number]['kind'], string> = { raise: '#b91c1c', clear: '#047857', acknowledge: '#7c3aed', write: '#a16207' };

export function DeviceTrends(props: { site: string; device: string; catalogue: readonly CatalogueEntry[]; initial: readonly string[] }) {
  const [range, setRange] = useState<Range>('1h');
  /** The window's end; null: now (follows the clock on each load). */
  const [endMs, setEndMs] = useState<number | null>(null);
  const [chosen, setChosen] = useState<string[]>(() => [...props.initial]);
  const [trend, setTrend] = useState<Trend | null>(null);
  const [marks, setMarks] = useState<MarksJson['marks']>([]);
  const [error, setError] = useState('');
  const spanMs = (RANGES.find(([r]) => r === range) as (typeof RANGES)[number])[1];
  const path = `/api/devices/${enc(props.site)}/${enc(props.device)}`;

  useEffect(() => {
    if (chosen.length === 0) { setTrend(null); return; }
    const toMs = Math.round(endMs ?? Date.now() + live.skewMs);
    const fromMs = toMs - spanMs;
    let stale = false;
    Promise.all([
      api.get<Trend>(`${path}/trend${qs({ fromMs, toMs, points: 300, parameters: chosen.join(',') })}`),
      api.get<MarksJson>(`${path}/marks${qs({ fromMs, toMs })}`).catch(() => ({ marks: [] })),
    ]).then(([tr, mk]) => { if (!stale) { setTrend(tr); setMarks(mk.marks); setError(''); } })
      .catch((e: unknown) => { if (!stale) setError(errorText(e)); });
    return () => { stale = true; };
  }, [path, range, endMs, chosen.join(',')]);

  const chart = useMemo(() => {
    if (!trend) return null;
    const xs = [...new Set(trend.series.flatMap((s) => s.points.map((p) => p.timeMs)))].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const series: ChartSeries[] = trend.series.map((s, i) => {
      const values: Array<number | null> = xs.map(() => null);
      for (const p of s.points) values[index.get(p.timeMs) as number] = p.avg;
      return { label: s.name, unit: s.unit, values, color: PALETTE[i % PALETTE.length] as string };
    });
    // A bucket without a value (only bad or stale readings) is a gap, marked with why; never a 0, never bridged unmarked.
    const gaps = trend.series.flatMap((s) => gapsOf(s.name, s.points.map((p) => ({ timeMs: p.timeMs, hasValue: p.avg !== null, ...(p.reason ? { reason: p.reason } : {}) }))));
    const labels = { raise: 'trend.fault', clear: 'trend.cleared', acknowledge: 'trend.ack', write: 'trend.write' } as const;
    const markers = [
      ...marks.map((m) => ({ atMs: m.atMs, color: MARK_COLORS[m.kind], label: t(labels[m.kind], { code: m.what, what: m.what }) })),
      ...gapMarkers(gaps, true),
    ].sort((a, b) => a.atMs - b.atMs);
    return { xs, series, markers, gaps };
  }, [trend, marks]);

  const toggle = (name: string): void => setChosen((c) => (c.includes(name) ? c.filter((x) => x !== name) : [...c, name]));
  return (
    <section class="card trends" aria-labelledby="dev-trends" data-testid="trends">
      <div class="section-head">
        <h2 id="dev-trends">{t('trend.title')}</h2>
        <div class="toolbar" role="group" aria-label={t('trend.range')}>
          {RANGES.map(([r]) => <button type="button" key={r} data-range={r} aria-pressed={range === r} onClick={() => setRange(r)}>{t(`trend.${r}`)}</button>)}
          <button type="button" data-testid="trend-earlier" onClick={() => setEndMs((endMs ?? Date.now() + live.skewMs) - spanMs / 2)}>{t('trend.earlier')}</button>
          <button type="button" data-testid="trend-later" disabled={endMs === null} onClick={() => {
            const next = (endMs ?? 0) + spanMs / 2;
            setEndMs(next >= Date.now() + live.skewMs ? null : next);
          }}>{t('trend.later')}</button>
          <button type="button" disabled={endMs === null} onClick={() => setEndMs(null)}>{t('trend.now')}</button>
        </div>
      </div>
      <fieldset class="trend-params"><legend>{t('trend.parameters')}</legend>
        {props.catalogue.map((p) => (
          <label key={p.name} class="check"><input type="checkbox" data-param={p.name} checked={chosen.includes(p.name)} onChange={() => toggle(p.name)} /> {p.name}</label>
        ))}
      </fieldset>
      {error && <p class="error" role="alert">{error}</p>}
      {chart && chart.xs.length === 0 && <p class="muted">{t('trend.none')}</p>}
      {chart && chart.xs.length > 0 && (
        <>
          <Chart x={chart.xs} series={chart.series} markers={chart.markers} ariaLabel={t('trend.title')} />
          <p class="muted"><span data-testid="trend-marks" data-marks={marks.length}>{t('trend.marks', { n: marks.length })}</span> · {t('trend.hint')}</p>
          {chart.gaps.length > 0 && (
            <p class="muted small" data-testid="trend-gaps" data-gaps={chart.gaps.length} data-reasons={[...new Set(chart.gaps.map((g) => g.reason ?? ''))].join(',')}>
              {t('trend.gaps', { list: chart.gaps.map((g) => `${t('trend.gap', { name: g.name, reason: reasonLabel(g.reason) })} ${fmtTime(g.fromMs)}`).join('; ') })}
            </p>
          )}
        </>
      )}
    </section>
  );
}
