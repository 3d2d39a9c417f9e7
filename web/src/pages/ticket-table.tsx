/**
 * The ticket table beside the board: every ticket page by page (server keyset paging, the total
 * shown), sorted by any column the server sorts by, filtered by state, status, priority, team,
 * assignee, site and device; the closed/resolved list is its "done" scope. Engineers select rows
 * and acknowledge, assign or close them in bulk (each ticket audited on its own by the server).
 */
import { useEffect, useState } from 'preact/hooks';
import type { TicketListJson } from '../../../collector/api/ticket-schemas.js';
import { api, qs } from '../api';
import { BulkBar } from '../components/ticket-bulk-bar';
import { SavedViews, type TableFilter } from '../components/ticket-saved-views';
import { SlaCell } from '../components/ticket-sla-cell';
import { ticketTitleText } from '../desk-texts';
import { useFaultTexts } from '../fault-texts';
import { fmtDuration, fmtShort } from '../format';
import { t, tx } from '../i18n';
import { live } from '../live';
import { useCan } from '../session';
import { PRIORITIES, TICKET_STATUSES, type TicketSummary } from '../types';

type Sort = 'opened' | 'priority' | 'status' | 'team' | 'assignee' | 'site' | 'device' | 'number' | 'sla';
const PAGE_SIZES = [50, 100, 200, 500];

export const EMPTY_FILTER: TableFilter = { scope: 'current', status: '', priority: '', team: '', assignee: '', site: '', device: '', sort: 'opened', dir: 'desc' };

export function TicketTable() {
  const [filter, setFilter] = useState<TableFilter>(EMPTY_FILTER);
  const [size, setSize] = useState(50);
  // Cursors of the pages before this one (the first page has none), so Previous goes back exactly.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<TicketListJson | null>(null);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [reload, setReload] = useState(0);
  const texts = useFaultTexts();
  const canWork = useCan('engineer');
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let alive = true;
    const q = qs({
      scope: filter.scope === 'all' ? undefined : filter.scope, status: filter.status, priority: filter.priority, team: filter.team,
      assignee: filter.assignee.trim(), site: filter.site.trim(), device: filter.device.trim(), sort: filter.sort, dir: filter.dir, limit: size, cursor,
    });
    api.get<TicketListJson>(`/api/tickets${q}`)
      .then((p) => { if (alive) { setPage(p); setFetchedAt(Date.now()); setError(''); } })
      .catch((err: unknown) => { if (alive) setError((err as Error).message); });
    return () => { alive = false; };
  }, [filter, size, cursor, reload]);

  // A changed ticket on this page is shown as it is now.
  useEffect(() => live.on('ticket', (d) => {
    const tk = d as TicketSummary;
    setPage((p) => (p && p.tickets.some((x) => x.id === tk.id) ? { ...p, tickets: p.tickets.map((x) => (x.id === tk.id ? tk : x)) } : p));
  }), []);

  const change = (next: Partial<TableFilter>): void => {
    setFilter((f) => ({ ...f, ...next }));
    setCursors([]);
    setSelected(new Set());
  };
  const sortBy = (s: Sort): void => change({ sort: s, dir: filter.sort === s && filter.dir === 'asc' ? 'desc' : 'asc' });
  const first = cursors.length * size + 1;
  const shown = page?.tickets ?? [];
  const allOnPage = shown.length > 0 && shown.every((x) => selected.has(x.id));

  const Head = (p: { col: Sort; label: string }) => (
    <th scope="col" aria-sort={filter.sort === p.col ? (filter.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" class="link" data-sort={p.col} onClick={() => sortBy(p.col)}>
        {p.label}{filter.sort === p.col ? (filter.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  const text = (key: keyof TableFilter, label: string) => (
    <>
      <label for={`tt-${key}`}>{label}</label>
      <input id={`tt-${key}`} size={10} value={filter[key]} onChange={(e) => change({ [key]: (e.target as HTMLInputElement).value })} />
    </>
  );

  return (
    <div class="page ticket-table-page">
      <div class="page-head">
        <h1>{t('ticketTable.title')}</h1>
        <p class="summary"><a href="/tickets">{t('ticketTable.board')}</a></p>
      </div>
      <div class="toolbar" role="group" aria-label={t('ticketTable.filters')}>
        <label for="tt-scope">{t('ticketTable.scope')}</label>
        <select id="tt-scope" value={filter.scope} onChange={(e) => change({ scope: (e.target as HTMLSelectElement).value as TableFilter['scope'] })}>
          {(['current', 'open', 'done', 'all'] as const).map((s) => <option key={s} value={s}>{t(`ticketTable.scope.${s}`)}</option>)}
        </select>
        <label for="tt-status">{t('ticketTable.status')}</label>
        <select id="tt-status" value={filter.status} onChange={(e) => change({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">{t('common.all')}</option>
          {TICKET_STATUSES.map((s) => <option key={s} value={s}>{tx('ticketStatus', s)}</option>)}
        </select>
        <label for="tt-priority">{t('tickets.priority')}</label>
        <select id="tt-priority" value={filter.priority} onChange={(e) => change({ priority: (e.target as HTMLSelectElement).value })}>
          <option value="">{t('common.all')}</option>
          {PRIORITIES.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
        {text('team', t('tickets.team'))}
        {text('assignee', t('ticket.assignee'))}
        {text('site', t('ticketTable.site'))}
        {text('device', t('ticketTable.device'))}
        <SavedViews current={filter} onApply={(f) => change({ ...EMPTY_FILTER, ...f })} />
      </div>
      {canWork && selected.size > 0 && (
        <BulkBar ids={[...selected]} onDone={() => { setSelected(new Set()); setReload((n) => n + 1); }} />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {!page && !error && <p role="status">{t('common.loading')}</p>}
      {page && (
        <>
          <p class="muted" data-testid="page-range" role="status">
            {page.total === 0 ? t('ticketTable.none') : t('ticketTable.range', { from: first, to: first + shown.length - 1, total: page.total })}
          </p>
          <div class="table-wrap">
            <table class="plain ticket-table">
              <thead><tr>
                {canWork && (
                  <th scope="col"><input type="checkbox" aria-label={t('ticketTable.selectPage')} checked={allOnPage}
                    onChange={() => setSelected(allOnPage ? new Set() : new Set(shown.map((x) => x.id)))} /></th>
                )}
                <Head col="number" label={t('ticketTable.number')} />
                <Head col="priority" label={t('tickets.priority')} />
                <Head col="status" label={t('ticketTable.status')} />
                <th scope="col">{t('ticketTable.titleCol')}</th>
                <Head col="site" label={t('ticketTable.site')} />
                <Head col="device" label={t('ticketTable.device')} />
                <Head col="team" label={t('tickets.team')} />
                <Head col="assignee" label={t('ticket.assignee')} />
                <Head col="sla" label={t('ticketTable.sla')} />
                <Head col="opened" label={t('ticketTable.age')} />
              </tr></thead>
              <tbody>
                {shown.map((tk) => (
                  <tr key={tk.id} data-ticket-id={tk.id}>
                    {canWork && (
                      <td><input type="checkbox" aria-label={t('ticketTable.select', { number: tk.number })} checked={selected.has(tk.id)}
                        onChange={() => setSelected((s) => { const n = new Set(s); if (n.has(tk.id)) n.delete(tk.id); else n.add(tk.id); return n; })} /></td>
                    )}
                    <td><a href={`/tickets/${tk.id}`} class="number">{tk.number}</a></td>
                    <td><span class={`prio prio-${tk.priority}`}>{tk.priority}</span></td>
                    <td>{tx('ticketStatus', tk.status)}</td>
                    <td>{ticketTitleText(texts, tk)}</td>
                    <td>{tk.site}</td>
                    <td>{tk.device || '—'}</td>
                    <td>{tk.team ? `${tk.team} ${tk.tier}` : '—'}</td>
                    <td>{tk.assignee ?? t('tickets.unassigned')}</td>
                    <td><SlaCell ticket={tk} fetchedAt={fetchedAt} /></td>
                    <td title={fmtShort(tk.openedAtMs)}>{fmtDuration(fetchedAt - tk.openedAtMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="toolbar pager">
            <button type="button" disabled={cursors.length === 0} onClick={() => { setCursors((c) => c.slice(0, -1)); setSelected(new Set()); }}>{t('ticketTable.previous')}</button>
            <button type="button" data-testid="next-page" disabled={page.nextCursor === null}
              onClick={() => { const next = page.nextCursor; if (next) { setCursors((c) => [...c, next]); setSelected(new Set()); } }}>{t('ticketTable.next')}</button>
            <label for="tt-size">{t('ticketTable.pageSize')}</label>
            <select id="tt-size" value={size} onChange={(e) => { setSize(Number((e.target as HTMLSelectElement).value)); setCursors([]); }}>
              {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
        </>
      )}
    </div>
  );
}
