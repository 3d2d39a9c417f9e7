/** The ticket board: open tickets in columns by status, filtered by priority and team, SLA time left with breach warnings; live. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { allPages } from '../paging';
import { fmtDuration, fmtShort } from '../format';
import { t, tx } from '../i18n';
import { live } from '../live';
import { slaView } from '../sla';
import { useFaultTexts } from '../fault-texts';
import { ticketTitleText } from '../desk-texts';
import { PRIORITIES, type TicketStatus, type TicketSummary } from '../types';

const COLUMNS: TicketStatus[] = ['new', 'acknowledged', 'in-progress', 'waiting-on-customer', 'resolved'];

interface Held { ticket: TicketSummary; atMs: number }

/** The board holds at most this many pages of 500 (the ticket list pages through any number). */
const BOARD_MAX_PAGES = 40;
/** Cards a column shows at first, and how many more each "show more" adds. */
const COLUMN_STEP = 200;

export function TicketBoard() {
  const tickets = useRef(new Map<number, Held>());
  const touched = useRef(new Map<number, number>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState('');
  const [priority, setPriority] = useState('');
  const [team, setTeam] = useState('');
  const [query, setQuery] = useState('');
  const [now, setNow] = useState(Date.now());
  const [shown, setShown] = useState<Partial<Record<TicketStatus, number>>>({});
  const shownPer = (status: TicketStatus): number => shown[status] ?? COLUMN_STEP;

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      const started = performance.now();
      try {
        // Every ticket that is not closed, page by page (the API pages at most 500 at a time).
        const list = await allPages<TicketSummary>('/api/tickets?scope=current&limit=500', 'tickets', { maxPages: BOARD_MAX_PAGES, isAlive: () => alive });
        if (!alive) return;
        const at = Date.now();
        const next = new Map<number, Held>();
        for (const tk of list) next.set(tk.id, { ticket: tk, atMs: at });
        for (const [id, when] of touched.current) {
          const mine = tickets.current.get(id);
          if (when >= started && mine) next.set(id, mine);
        }
        tickets.current = next;
        setLoaded(true);
        setVersion((v) => v + 1);
      } catch (err) { if (alive) setError((err as Error).message); }
    };
    void load();
    const offHello = live.on('hello', () => { void load(); });
    const offTicket = live.on('ticket', (d) => {
      const tk = d as TicketSummary;
      tickets.current.set(tk.id, { ticket: tk, atMs: Date.now() });
      touched.current.set(tk.id, performance.now());
      setVersion((v) => v + 1);
    });
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => { alive = false; offHello(); offTicket(); clearInterval(timer); };
  }, []);

  const teams = useMemo(() => [...new Set([...tickets.current.values()].map((h) => h.ticket.team).filter((x): x is string => !!x))].sort(), [version]);
  const columns = useMemo(() => {
    const q = query.trim().toLowerCase();
    const by = new Map<TicketStatus, Held[]>(COLUMNS.map((c) => [c, []]));
    for (const h of tickets.current.values()) {
      const tk = h.ticket;
      if (priority && tk.priority !== priority) continue;
      if (team && tk.team !== team) continue;
      if (q && !`${tk.number} ${tk.title} ${tk.device} ${tk.site} ${tk.code} ${tk.assignee ?? ''}`.toLowerCase().includes(q)) continue;
      by.get(tk.status)?.push(h);
    }
    for (const list of by.values()) {
      list.sort((a, b) => (a.ticket.priority < b.ticket.priority ? -1 : a.ticket.priority > b.ticket.priority ? 1 : 0)
        || slaView(a.ticket, a.atMs, now).remainingMs - slaView(b.ticket, b.atMs, now).remainingMs);
    }
    return by;
  }, [version, priority, team, query, now]);

  let breached = 0;
  let warned = 0;
  for (const list of columns.values()) {
    for (const h of list) {
      const lvl = slaView(h.ticket, h.atMs, now).level;
      if (lvl === 'breached') breached++;
      if (lvl === 'warn') warned++;
    }
  }

  return (
    <div class="page tickets-page">
      <div class="page-head">
        <h1>{t('tickets.title')}</h1>
        <p><a href="/ticket-list">{t('nav.ticketTable')}</a></p>
        <p class="summary">{t('tickets.slaSummary', { breached, warned })}</p>
      </div>
      <div class="toolbar">
        <label for="tk-prio">{t('tickets.priority')}</label>
        <select id="tk-prio" value={priority} onChange={(e) => setPriority((e.target as HTMLSelectElement).value)}>
          <option value="">{t('common.all')}</option>
          {PRIORITIES.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
        <label for="tk-team">{t('tickets.team')}</label>
        <select id="tk-team" value={team} onChange={(e) => setTeam((e.target as HTMLSelectElement).value)}>
          <option value="">{t('common.all')}</option>
          {teams.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
        <label class="sr" for="tk-q">{t('tickets.search')}</label>
        <input id="tk-q" type="search" placeholder={t('tickets.search')} value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!loaded && !error && <p role="status">{t('common.loading')}</p>}
      <div class="board">
        {COLUMNS.map((status) => {
          const list = columns.get(status) ?? [];
          return (
            <section key={status} class="column" aria-labelledby={`col-${status}`}>
              <h2 id={`col-${status}`}>{tx('ticketStatus', status)} <span class="count">{list.length}</span></h2>
              <ul>
                {list.slice(0, shownPer(status)).map((h) => <TicketCard key={h.ticket.id} held={h} now={now} />)}
              </ul>
              {list.length > shownPer(status) && (
                <button type="button" class="more" data-testid={`more-${status}`} onClick={() => setShown((m) => ({ ...m, [status]: shownPer(status) + COLUMN_STEP }))}>
                  {t('tickets.more', { n: Math.min(COLUMN_STEP, list.length - shownPer(status)) })}
                </button>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}

function TicketCard(props: { held: Held; now: number }) {
  const tk = props.held.ticket;
  const sla = slaView(tk, props.held.atMs, props.now);
  const texts = useFaultTexts();
  return (
    <li class={`card ticket-card prio-${tk.priority} card-sla-${sla.level}`} data-ticket-id={tk.id}>
      <div class="card-top">
        <span class={`prio prio-${tk.priority}`}>{tk.priority}</span>
        <a href={`/tickets/${tk.id}`} class="number">{tk.number}</a>
        {tk.faultActive && <span class="tag active">{t('tickets.faultActive')}</span>}
      </div>
      <div class="title">{ticketTitleText(texts, tk)}</div>
      <div class="muted">{tk.site} / {tk.device || '—'} · {tk.code}</div>
      <div class="card-bottom">
        <span>{tk.assignee ?? t('tickets.unassigned')}{tk.team ? ` · ${tk.team} ${tk.tier}` : ''}</span>
        <span class={`sla sla-${sla.level}`} title={t(`tickets.sla.${sla.which}`)}>
          {sla.level === 'met' ? t('tickets.slaMet') : sla.level === 'missed' ? t('tickets.slaMissed')
            : sla.level === 'breached' ? t('tickets.slaBreached', { d: fmtDuration(-sla.remainingMs) })
              : t('tickets.slaLeft', { d: fmtDuration(sla.remainingMs), which: t(`tickets.sla.${sla.which}`) })}
          {sla.level === 'paused' && ` (${t('tickets.slaPaused')})`}
        </span>
      </div>
      <div class="muted small">{t('tickets.opened', { time: fmtShort(tk.openedAtMs) })}{tk.occurrences > 1 ? ` · ×${tk.occurrences}` : ''}</div>
    </li>
  );
}
