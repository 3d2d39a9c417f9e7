/**
 * The plant overview (operators' and viewers' home): sites → devices, each with its condition
 * (in alarm by priority, link lost, maintenance, unsupported registers, normal), its key values
 * with unit, quality and age, and a sparkline; live over the stream. Counts per condition filter
 * the list; a site and a search narrow it. The server counts, sorts and pages (PAGE_SIZE rows) every
 * device, so a page of 1,000 devices costs what a page of 100 does; events keep the rows live at
 * once and ask for the page again shortly after (counts, order, devices on other pages).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, enc, qs } from '../api';
import { Sparkline } from '../components/sparkline';
import '../plant/plant.css';
import { fmtDuration, fmtNumber } from '../format';
import { faultMessage, useFaultTexts } from '../fault-texts';
import { t, tx } from '../i18n';
import { live } from '../live';
import { ALARMING, alarmPriorityOf, CONDITIONS, conditionRank, deviceCondition, type Condition } from '../plant/condition';
import { PageLoader } from '../plant/page-loader';
import { PlantModel } from '../plant/plant-store';
import type { Plant, PlantDevice, PresenceEvent, Trend, ValuesEvent } from '../plant/plant-types';
import { errorText } from '../session';
import type { Alarm } from '../types';
import { agedValue, qualityText } from '../quality';
import { useServerNow } from '../server-clock';

export const PAGE_SIZE = 100;
/** Sparklines show this much history, seeded from stored telemetry for the rows on screen. */
const SPARK_WINDOW_MS = 3_600_000;
/** Trend requests in flight at most while seeding sparklines. */
const SEED_CONCURRENCY = 4;
/** After alarm or presence events the page is asked for again this much later (counts and order follow; one request per burst). */
const REFRESH_DELAY_MS = 250;
/** Typing in the search asks the server once it pauses this long (the rows known narrow at once). */
const SEARCH_DELAY_MS = 200;

type Filter = Condition | 'problems' | 'all';
interface Selection { site: string; filter: Filter; search: string; page: number }
interface Row { key: string; d: PlantDevice; condition: Condition }

const sameView = (a: Selection, b: Selection): boolean => a.site === b.site && a.filter === b.filter && a.search.trim() === b.search.trim();

function plantQuery(s: Selection): string {
  return `/api/plant${qs({ size: PAGE_SIZE, page: s.page, site: s.site, filter: s.filter === 'all' ? undefined : s.filter, search: s.search.trim() })}`;
}

function matches(s: Selection, r: Row): boolean {
  const q = s.search.trim().toLowerCase();
  return (!s.site || r.d.site === s.site)
    && (s.filter === 'all' || (s.filter === 'problems' ? r.condition !== 'normal' : r.condition === s.filter))
    && (!q || r.d.device.toLowerCase().includes(q) || r.d.model.toLowerCase().includes(q) || r.d.site.toLowerCase().includes(q));
}

const byPlace = (a: Row, b: Row): number => a.d.site.localeCompare(b.d.site) || conditionRank(a.condition) - conditionRank(b.condition) || a.d.device.localeCompare(b.d.device);

export function PlantOverview() {
  const model = useMemo(() => new PlantModel(), []);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [site, setSite] = useState('');
  const [search, setSearch] = useState('');
  const [searched, setSearched] = useState('');
  const [page, setPage] = useState(0);
  // One clock for every row's ages and stale marks (the server's time), not a timer per row.
  const serverNow = useServerNow();
  const seeded = useRef(new Set<string>());
  // The selection the server is asked for (the search once typing pauses), and the one its last page answered.
  const wanted = useRef<Selection>({ site, filter, search: searched, page });
  wanted.current = { site, filter, search: searched, page };
  const answered = useRef<Selection | undefined>(undefined);
  const loader = useMemo(() => new PageLoader(async () => {
    const s = wanted.current;
    const p = await api.get<Plant>(plantQuery(s));
    answered.current = s;
    model.load(p);
    setError('');
    return p;
  }, (e) => setError(errorText(e))), []);

  useEffect(() => {
    let refresh: ReturnType<typeof setTimeout> | undefined;
    const soon = (): void => { if (refresh === undefined) refresh = setTimeout(() => { refresh = undefined; loader.request(); }, REFRESH_DELAY_MS); };
    const offs = [
      model.subscribe(() => setVersion(model.version)),
      // Every stream (re)connect: what changed in between (unless the page was read after it).
      live.on('hello', (h) => loader.connected((h as { serverTimeMs?: number } | undefined)?.serverTimeMs)),
      live.on('values', (e) => model.applyValues(e as ValuesEvent)),
      live.on('presence', (e) => { model.applyPresence(e as PresenceEvent); soon(); }),
      live.on('alarm', (e) => { model.applyAlarm(e as Alarm); soon(); }),
    ];
    return () => { offs.forEach((off) => off()); clearTimeout(refresh); };
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => setSearched(search), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);
  // At once, while the page first renders (not after its first frame), and on every change of what is asked.
  const asked = useRef('');
  const selection = JSON.stringify([site, filter, searched, page]);
  if (asked.current !== selection) {
    asked.current = selection;
    loader.request();
  }

  const loaded = model.page !== undefined;
  const view: Selection = { site, filter, search, page };
  const last = answered.current;
  // The server's page when it answers this selection; while it is asked, the rows known that match (at once, live).
  // (Another page of the same rows keeps the last page's until it comes.)
  const candidates = last !== undefined && sameView(last, view) ? model.order : [...model.devices.keys()];
  const rows = useMemo<Row[]>(() => candidates.flatMap((key) => {
    const d = model.devices.get(key);
    return d ? [{ key, d, condition: deviceCondition(d) }] : [];
  }).filter((r) => matches(view, r)).sort(byPlace), [version, site, filter, search, page]);
  const sites = model.page?.sites ?? [];
  const counts = useMemo(() => model.counts(site), [version, site]);
  const pages = Math.max(1, Math.ceil((model.page?.total ?? 0) / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(0, PAGE_SIZE);

  // Sparklines of the rows on screen, seeded once per device from stored telemetry, a few at a time.
  useEffect(() => {
    const todo = shown.filter((r) => !seeded.current.has(r.key) && r.d.keys.length > 0);
    todo.forEach((r) => seeded.current.add(r.key));
    let next = 0;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (!stopped && next < todo.length) {
        const r = todo[next++] as Row;
        const toMs = Date.now() + live.skewMs;
        try {
          const trend = await api.get<Trend>(`/api/devices/${enc(r.d.site)}/${enc(r.d.device)}/trend${qs({ fromMs: Math.floor(toMs - SPARK_WINDOW_MS), toMs: Math.ceil(toMs), points: 40, parameters: r.d.keys[0] })}`);
          model.seed(r.key, (trend.series[0]?.points ?? []).flatMap((p) => (p.avg === null ? [] : [[p.timeMs, p.avg] as [number, number]])));
        } catch { seeded.current.delete(r.key); }
      }
    };
    for (let i = 0; i < SEED_CONCURRENCY; i++) void worker();
    return () => { stopped = true; };
  }, [shown.map((r) => r.key).join('|')]);

  let lastSite = '';
  return (
    <div class="page plant-page">
      <div class="page-head"><h1>{t('plant.title')}</h1>
        <p class="summary" data-testid="plant-total">{t('plant.total', { devices: model.page?.devicesTotal ?? 0, sites: sites.length })}</p>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="toolbar plant-tools" role="group" aria-label={t('plant.filters')}>
        <button type="button" aria-pressed={filter === 'all'} onClick={() => { setFilter('all'); setPage(0); }}>{t('plant.all')}</button>
        <button type="button" aria-pressed={filter === 'problems'} onClick={() => { setFilter('problems'); setPage(0); }}>{t('plant.problems')}</button>
        {CONDITIONS.map((c) => (
          <button type="button" key={c} class={`cond-chip cond-${c}`} data-condition={c} aria-pressed={filter === c}
            onClick={() => { setFilter(filter === c ? 'all' : c); setPage(0); }}>
            {tx('plant.cond', c)} <span class="n" data-testid={`count-${c}`}>{counts.get(c) ?? 0}</span>
          </button>
        ))}
        <label class="sr" for="plant-site">{t('plant.site')}</label>
        <select id="plant-site" value={site} onChange={(e) => { setSite((e.target as HTMLSelectElement).value); setPage(0); }}>
          <option value="">{t('plant.allSites')}</option>
          {sites.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label class="sr" for="plant-search">{t('plant.search')}</label>
        <input id="plant-search" type="search" placeholder={t('plant.search')} value={search} onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(0); }} />
      </div>
      {!loaded && !error ? <p role="status">{t('common.loading')}</p> : (
        <div class="table-wrap">
          <table class="plain plant-table">
            <thead><tr>
              <th scope="col">{t('plant.device')}</th><th scope="col">{t('plant.condition')}</th>
              <th scope="col">{t('plant.values')}</th><th scope="col">{t('plant.trend')}</th>
            </tr></thead>
            <tbody>
              {shown.flatMap((r) => {
                const out = [];
                if (r.d.site !== lastSite) {
                  lastSite = r.d.site;
                  out.push(<tr key={`site:${r.d.site}`} class="site-row"><th colSpan={4} scope="colgroup">{r.d.site}</th></tr>);
                }
                out.push(<PlantRow key={r.key} row={r} spark={model.sparks.get(r.key) ?? []} nowMs={serverNow} />);
                return out;
              })}
            </tbody>
          </table>
          {rows.length === 0 && <p class="empty">{(model.page?.devicesTotal ?? 0) === 0 ? t('devices.none') : t('plant.noMatch')}</p>}
          {pages > 1 && (
            <nav class="pager" aria-label={t('plant.pages')}>
              <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>{t('plant.prev')}</button>
              <span data-testid="plant-page">{t('plant.pageOf', { page: current + 1, pages })}</span>
              <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>{t('plant.next')}</button>
            </nav>
          )}
        </div>
      )}
    </div>
  );
}

function PlantRow(props: { row: Row; spark: ReadonlyArray<readonly [number, number]>; nowMs: number }) {
  const { d, condition } = props.row;
  // The alarm that sets the condition: the highest priority among those in alarm.
  const worst = condition.startsWith('P') ? d.alarms.find((a) => alarmPriorityOf(a) === condition && ALARMING.has(a.state)) : undefined;
  const texts = useFaultTexts();
  // A last-known value older than its stale age is shown stale as the clock moves (a dead agent's values never look fresh).
  const keyed = d.keys.map((name) => {
    const found = d.values.find((x) => x.name === name);
    return { name, v: found && agedValue(found, d.staleAfterMs?.[name], props.nowMs) };
  });
  const first = keyed[0]?.v;
  const sparkStale = first?.quality === 'stale';
  return (
    <tr class={`plant-row cond-${condition}`} data-device={d.device} data-site={d.site} data-state={condition}>
      <td><a href={`/devices/${enc(d.site)}/${enc(d.device)}`}>{d.device}</a> <span class="muted">{d.model}</span></td>
      <td><span class={`cond cond-${condition}`}>{tx('plant.cond', condition)}</span>
        {worst && <> <a class="cond-why" href={`/alarms/${worst.id}`} title={faultMessage(texts, worst.code, worst.message)}>{worst.code}</a></>}
        {!d.online && <span class="muted"> · {t('plant.lastSeen', { age: fmtDuration(props.nowMs - d.lastSeenMs) })}</span>}</td>
      <td><div class="pvals">
        {keyed.map(({ name, v }) => (
          <span key={name} class={`pv q-${v?.quality ?? 'none'}`} data-param={name} data-quality={v?.quality ?? ''} data-reason={v?.reason ?? ''} title={name}>
            <span class="pv-name">{name}</span>{' '}
            <span class="pv-value">{v && v.quality !== 'bad' ? `${v.text ?? fmtNumber(v.value, 2)}${v.unit ? ` ${v.unit}` : ''}` : '—'}</span>
            {v && v.quality !== 'good' && <span class="tag q-tag">{qualityText(v)}</span>}
            {v && <span class="pv-age muted">{t('plant.ago', { age: fmtDuration(Math.max(0, props.nowMs - v.timeMs)) })}</span>}
          </span>
        ))}
      </div></td>
      <td><Sparkline points={props.spark} nowMs={props.nowMs} stale={sparkStale}
        label={`${t('plant.trendOf', { name: d.keys[0] ?? '' })}${first && sparkStale ? ` (${qualityText(first)})` : ''}`} /></td>
    </tr>
  );
}
