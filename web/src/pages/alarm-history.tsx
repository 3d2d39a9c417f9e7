/**
 * Alarm history: every transition of every alarm, filtered by site, device, code, the state moved
 * to, the transition, priority, time and words; newest first, more pages by the API's cursor; the
 * filtered list as CSV. Filters live in the address (shareable, kept on reload).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { fmtDateTime, timeZone } from '../format';
import { zonedInputMs, zonedInputValue } from '../zoned-input';
import { t, tx } from '../i18n';
import { navigate } from '../router';
import { errorText } from '../session';
import { PRIORITIES } from '../types';
import '../plant/history.css';
import { useFaultTexts } from '../fault-texts';
import { transitionReasonText } from '../desk-texts';
import type { AlarmHistoryJson } from '../../../collector/api/alarm-history-schemas.js';

type Transition = AlarmHistoryJson['transitions'][number];
const PAGE = 100;
const STATES = ['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged', 'normal', 'shelved', 'suppressed-by-design', 'out-of-service'];
const TRANSITIONS = ['raise', 'clear', 'acknowledge', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'remove-from-service', 'return-to-service'];
const FIELDS = ['site', 'device', 'code', 'state', 'transition', 'priority', 'from', 'to', 'q'] as const;
type Field = (typeof FIELDS)[number];
type Filters = Partial<Record<Field, string>>;

function readFilters(): Filters {
  const p = new URLSearchParams(location.search);
  const out: Filters = {};
  for (const f of FIELDS) { const v = p.get(f); if (v) out[f] = v; }
  return out;
}

/**
 * The time filters: the address holds instants (epoch ms; a wall time from an older link is read in
 * the chosen zone), the inputs show and take wall times in the zone chosen in the header, never the browser's.
 */
const TIME_FIELDS: ReadonlySet<Field> = new Set(['from', 'to']);
const instantOf = (v: string | undefined): number | undefined => (v && /^\d+$/.test(v) ? Number(v) : zonedInputMs(v, timeZone()));

/** The filters as the form shows them (times on the chosen zone's wall clock). */
function draftOf(f: Filters): Filters {
  const out: Filters = { ...f };
  for (const k of TIME_FIELDS) {
    const ms = instantOf(f[k]);
    if (ms === undefined) delete out[k];
    else out[k] = zonedInputValue(ms, timeZone());
  }
  return out;
}

function apiQuery(f: Filters): Record<string, string | number | undefined> {
  return { site: f.site, device: f.device, code: f.code, state: f.state, transition: f.transition, priority: f.priority, fromMs: instantOf(f.from), toMs: instantOf(f.to), q: f.q };
}

export function AlarmHistoryPage() {
  const [filters, setFilters] = useState<Filters>(readFilters);
  const [draft, setDraft] = useState<Filters>(() => draftOf(filters));
  const [rows, setRows] = useState<Transition[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const texts = useFaultTexts();

  const fetchPage = async (after: string | null): Promise<void> => {
    setBusy(true);
    try {
      const page = await api.get<AlarmHistoryJson>(`/api/alarms/history${qs({ ...apiQuery(filters), limit: PAGE, cursor: after ?? undefined })}`);
      setRows((prev) => (after ? [...(prev ?? []), ...page.transitions] : page.transitions));
      setCursor(page.nextCursor);
      setError('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => { void fetchPage(null); }, [JSON.stringify(filters)]);

  const apply = (e: Event): void => {
    e.preventDefault();
    const clean: Filters = {};
    for (const f of FIELDS) {
      const v = draft[f]?.trim();
      if (!v) continue;
      if (!TIME_FIELDS.has(f)) clean[f] = v;
      else { const ms = zonedInputMs(v, timeZone()); if (ms !== undefined) clean[f] = String(ms); }
    }
    navigate(`/alarms/history${qs(clean)}`, true);
    setFilters(clean);
  };
  const input = (f: Field, label: string, type: 'text' | 'search' | 'datetime-local' = 'text') => (
    <label key={f}>{label}<input id={`h-${f}`} name={f} type={type as "text"} value={draft[f] ?? ''} data-tz={type === 'datetime-local' ? timeZone() : undefined} title={type === 'datetime-local' ? timeZone() : undefined} onInput={(e) => setDraft({ ...draft, [f]: (e.target as HTMLInputElement).value })} /></label>
  );
  const select = (f: Field, label: string, values: readonly string[], prefix: string) => (
    <label key={f}>{label}<select id={`h-${f}`} name={f} value={draft[f] ?? ''} onChange={(e) => setDraft({ ...draft, [f]: (e.target as HTMLSelectElement).value })}>
      <option value="">{t('history.any')}</option>
      {values.map((v) => <option key={v} value={v}>{prefix ? tx(prefix, v) : v}</option>)}
    </select></label>
  );
  const csvHref = `/api/alarms/history${qs({ ...apiQuery(filters), limit: 10_000, format: 'csv' })}`;

  return (
    <div class="page history-page">
      <div class="page-head"><h1>{t('history.title')}</h1></div>
      <form class="filters history-filters" onSubmit={apply} aria-label={t('history.filters')}>
        {input('site', t('plant.site'))}
        {input('device', t('plant.device'))}
        {input('code', t('history.code'))}
        {select('state', t('history.state'), STATES, 'alarmState')}
        {select('transition', t('history.transition'), TRANSITIONS, 'history.tr')}
        {select('priority', t('history.priority'), PRIORITIES, '')}
        {input('from', t('history.from'), 'datetime-local')}
        {input('to', t('history.to'), 'datetime-local')}
        {input('q', t('history.search'), 'search')}
        <div class="buttons">
          <button type="submit" class="primary" data-testid="history-apply">{t('history.apply')}</button>
          <a class="button" href={csvHref} download data-testid="history-csv">{t('history.csv')}</a>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {rows === null ? <p role="status">{t('common.loading')}</p> : (
        <div class="table-wrap">
          <table class="plain history-table">
            <thead><tr>
              <th scope="col">{t('history.time')}</th><th scope="col">{t('plant.device')}</th><th scope="col">{t('history.code')}</th>
              <th scope="col">{t('history.transition')}</th><th scope="col">{t('history.state')}</th><th scope="col">{t('history.by')}</th><th scope="col">{t('history.reason')}</th>
            </tr></thead>
            <tbody data-testid="history-rows">
              {rows.map((r) => (
                <tr key={r.seq} data-seq={r.seq} data-transition={r.transition} data-code={r.code}>
                  <td>{fmtDateTime(r.atMs)}</td>
                  <td>{r.device} <span class="muted">{r.site}</span></td>
                  <td class="mono">{r.code}</td>
                  <td>{tx('history.tr', r.transition)}</td>
                  <td>{r.from ? tx('alarmState', r.from) : '—'} → {r.to ? tx('alarmState', r.to) : '—'}</td>
                  <td>{r.by}</td>
                  <td>{transitionReasonText(texts, r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p class="empty">{t('history.none')}</p>}
          {cursor && <p><button type="button" data-testid="history-more" disabled={busy} onClick={() => void fetchPage(cursor)}>{t('history.more')}</button></p>}
        </div>
      )}
    </div>
  );
}
