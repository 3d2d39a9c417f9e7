/**
 * Reports for managers and R&D: ticket volume and MTTA/MTTR over the last periods (uPlot), SLA
 * attainment per priority, top faults by model and firmware, and CSV export — in the user's zone.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Chart, PALETTE } from '../components/chart';
import { fmtDuration, fmtPercent, isoDate, timeZone } from '../format';
import { t } from '../i18n';
import { errorText } from '../session';
import { PRIORITIES, type ServiceReport } from '../types';

type Kind = 'week' | 'month';
const TREND = 8;
const DAY = 86_400_000;

function anchors(kind: Kind, now: number): string[] {
  const out: string[] = [];
  for (let k = TREND - 1; k >= 0; k--) out.push(isoDate(now - (kind === 'week' ? 7 * k * DAY : Math.round(30.44 * k) * DAY)));
  return out;
}

export function ReportsPage() {
  const [kind, setKind] = useState<Kind>('week');
  const [site, setSite] = useState('');
  const [model, setModel] = useState('');
  const [firmware, setFirmware] = useState('');
  const [applied, setApplied] = useState({ site: '', model: '', firmware: '' });
  const [reports, setReports] = useState<ServiceReport[] | null>(null);
  const [error, setError] = useState('');
  const filter = { tz: timeZone(), site: applied.site || undefined, model: applied.model || undefined, firmware: applied.firmware || undefined };

  useEffect(() => {
    let alive = true;
    setReports(null);
    setError('');
    Promise.all(anchors(kind, Date.now()).map((from) => api.get<ServiceReport>(`/api/reports/summary${qs({ period: kind, from, ...filter })}`)))
      .then((r) => { if (alive) setReports(r); })
      .catch((err: unknown) => { if (alive) setError(errorText(err)); });
    return () => { alive = false; };
  }, [kind, applied]);

  const current = reports?.[reports.length - 1];
  const trend = useMemo(() => {
    if (!reports) return null;
    const labels = reports.map((r) => r.period.from.slice(5));
    const x = reports.map((_, i) => i);
    const mins = (ms: number | null | undefined): number | null => (ms == null ? null : Math.round(ms / 60_000));
    return {
      labels, x,
      volume: [
        { label: t('reports.total'), values: reports.map((r) => r.volume.total), color: '#334155' },
        ...PRIORITIES.map((p, i) => ({ label: p, values: reports.map((r) => r.volume.byPriority[p] ?? 0), color: PALETTE[(i + 4) % PALETTE.length] as string })),
      ],
      times: [
        { label: t('reports.mtta'), unit: 'min', values: reports.map((r) => (r.responsiveness.mtta.available ? mins(r.responsiveness.mtta.value.meanMs) : null)), color: PALETTE[0] as string },
        { label: t('reports.mttr'), unit: 'min', values: reports.map((r) => (r.responsiveness.mttr.available ? mins(r.responsiveness.mttr.value.meanMs) : null)), color: PALETTE[1] as string },
      ],
    };
  }, [reports]);

  const csv = (section?: string): string => `/api/reports/summary${qs({ period: kind, format: 'csv', ...filter, section })}`;

  return (
    <div class="page reports-page">
      <div class="page-head"><h1>{t('reports.title')}</h1>{current && <p class="summary">{t('reports.period', { from: current.period.from, to: current.period.to, tz: current.period.timeZone })}</p>}</div>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setApplied({ site: site.trim(), model: model.trim(), firmware: firmware.trim() }); }}>
        <label for="rp-kind">{t('reports.periodKind')}</label>
        <select id="rp-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
          <option value="week">{t('reports.week')}</option>
          <option value="month">{t('reports.month')}</option>
        </select>
        <label for="rp-site">{t('devices.site')}</label><input id="rp-site" value={site} size={10} onInput={(e) => setSite((e.target as HTMLInputElement).value)} />
        <label for="rp-model">{t('devices.model')}</label><input id="rp-model" value={model} size={10} onInput={(e) => setModel((e.target as HTMLInputElement).value)} />
        <label for="rp-fw">{t('devices.firmware')}</label><input id="rp-fw" value={firmware} size={8} onInput={(e) => setFirmware((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('reports.apply')}</button>
        <a class="button" href={csv()} download data-testid="csv-export">{t('reports.csv')}</a>
        <a class="button" href={csv('faults-by-model-firmware')} download>{t('reports.csvFaults')}</a>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {!reports && !error && <p role="status">{t('common.loading')}</p>}
      {reports && trend && current && (
        <>
          <div class="grid two">
            <section class="card" aria-labelledby="rp-vol">
              <h2 id="rp-vol">{t('reports.volume')}</h2>
              <Chart x={trend.x} categories={trend.labels} series={trend.volume} ariaLabel={t('reports.volume')} height={220} />
            </section>
            <section class="card" aria-labelledby="rp-mt">
              <h2 id="rp-mt">{t('reports.mttaMttr')}</h2>
              <Chart x={trend.x} categories={trend.labels} series={trend.times} ariaLabel={t('reports.mttaMttr')} height={220} />
              <p class="muted small">
                {t('reports.mtta')}: {current.responsiveness.mtta.available ? fmtDuration(current.responsiveness.mtta.value.meanMs) : current.responsiveness.mtta.reason}
                {' · '}{t('reports.mttr')}: {current.responsiveness.mttr.available ? fmtDuration(current.responsiveness.mttr.value.meanMs) : current.responsiveness.mttr.reason}
              </p>
            </section>
          </div>
          <div class="grid two">
            <section class="card" aria-labelledby="rp-sla">
              <h2 id="rp-sla">{t('reports.sla')}</h2>
              {!current.sla.available ? <p class="muted">{current.sla.reason}</p> : (
                <table class="plain bars">
                  <thead><tr><th scope="col">{t('tickets.priority')}</th><th scope="col">{t('tickets.sla.response')}</th><th scope="col">{t('tickets.sla.resolution')}</th></tr></thead>
                  <tbody>
                    {current.sla.value.map((row) => (
                      <tr key={row.priority}>
                        <th scope="row"><span class={`prio prio-${row.priority}`}>{row.priority}</span></th>
                        <td><Bar ratio={row.response.attainment} /> <span class="muted small">{t('reports.metMissed', { met: row.response.met, missed: row.response.missed, pending: row.response.pending })}</span></td>
                        <td><Bar ratio={row.resolution.attainment} /> <span class="muted small">{t('reports.metMissed', { met: row.resolution.met, missed: row.resolution.missed, pending: row.resolution.pending })}</span></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="card" aria-labelledby="rp-top">
              <h2 id="rp-top">{t('reports.topCodes')}</h2>
              {current.faults.topFaultCodes.length === 0 ? <p class="muted">{t('reports.none')}</p> : (
                <table class="plain">
                  <thead><tr><th scope="col">{t('alarms.col.code')}</th><th scope="col">{t('reports.tickets')}</th><th scope="col">{t('reports.occurrences')}</th><th scope="col">{t('devices.model')}</th></tr></thead>
                  <tbody>{current.faults.topFaultCodes.slice(0, 10).map((f) => (
                    <tr key={f.code}><td class="mono">{f.code}</td><td class="num">{f.tickets}</td><td class="num">{f.occurrences}</td><td>{f.models.join(', ')}</td></tr>
                  ))}</tbody>
                </table>
              )}
            </section>
          </div>
          <section class="card" aria-labelledby="rp-mf">
            <h2 id="rp-mf">{t('reports.byModelFirmware')}</h2>
            {current.faults.faultsByModelFirmware.length === 0 ? <p class="muted">{t('reports.none')}</p> : (
              <table class="plain">
                <thead><tr>
                  <th scope="col">{t('devices.model')}</th><th scope="col">{t('devices.firmware')}</th><th scope="col">{t('reports.tickets')}</th>
                  <th scope="col">{t('reports.occurrences')}</th><th scope="col">{t('reports.devicesWithFaults')}</th><th scope="col">{t('reports.topCodesShort')}</th>
                </tr></thead>
                <tbody>{current.faults.faultsByModelFirmware.map((f) => (
                  <tr key={`${f.model}/${f.firmware}`}>
                    <td>{f.model}</td><td>{f.firmware}</td><td class="num">{f.tickets}</td><td class="num">{f.occurrences}</td><td class="num">{f.devicesWithFaults}</td>
                    <td class="mono small">{f.topCodes.slice(0, 3).map((c) => `${c.code} (${c.tickets})`).join(', ')}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}

function Bar(props: { ratio: number | null }) {
  const pct = props.ratio == null ? 0 : Math.round(props.ratio * 100);
  return (
    <span class="bar-wrap">
      <meter min={0} max={100} low={80} high={95} optimum={100} value={pct} aria-label={fmtPercent(props.ratio)} />
      <span class="num">{fmtPercent(props.ratio)}</span>
    </span>
  );
}
