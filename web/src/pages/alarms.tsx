/**
 * The alarm console (the operator's home): active and unacknowledged alarms sorted by priority
 * (the working ticket's, else the severity's) then newest first; live over SSE; a beep and a flash
 * for a new unacknowledged alarm; acknowledge one or many; shelve with reason and duration; what
 * changed since this user last looked (kept per user in localStorage); a banner while a site floods.
 *
 * Keyboard: ↑/↓ (or j/k) move, Space selects, A acknowledges, S shelves, Enter opens the ticket,
 * Esc clears the selection.
 */
import { faultMessage, useFaultTexts } from '../fault-texts';
import { Component, type JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { allPages } from '../paging';
import { api, enc } from '../api';
import { beep } from '../beep';
import { fmtDuration, fmtShort, fmtTime } from '../format';
import { t, tx } from '../i18n';
import { live } from '../live';
import { navigate } from '../router';
import { toast, toastError, useCan, useSession } from '../session';
import type { Alarm, BulkAlarmResult, FloodEpisode, Priority } from '../types';
import { ShelveDialog } from '../components/shelve-dialog';
// The one priority table, shared with the collector's core (pure: no I/O, type imports only).
import { severityPriority } from '../../../collector/core/priority/priority.js';

const CONSOLE_STATES = ['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged', 'shelved'] as const;
const FRESH_MS = 8000;

export const alarmPriority = (a: Alarm): Priority => a.ticket?.priority ?? severityPriority(a.severity);
const inConsole = (a: Alarm): boolean => (CONSOLE_STATES as readonly string[]).includes(a.state);

function compareAlarms(a: Alarm, b: Alarm): number {
  const pa = alarmPriority(a);
  const pb = alarmPriority(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  return (b.lastRaiseMs ?? b.changedAtMs) - (a.lastRaiseMs ?? a.changedAtMs) || b.id - a.id;
}

const lastSeenKey = (user: string): string => `fl.lastSeen.${user}`;
function readLastSeen(user: string): number {
  try { return Number(localStorage.getItem(lastSeenKey(user)) ?? 0) || 0; } catch { return 0; }
}
function writeLastSeen(user: string, ms: number): void {
  try { localStorage.setItem(lastSeenKey(user), String(ms)); } catch { /* ignore */ }
}

interface RowProps {
  alarm: Alarm;
  selected: boolean;
  focused: boolean;
  fresh: boolean;
  changed: boolean;
  canAct: boolean;
  nowBucket: number;
  index: number;
  onToggle: (id: number, index: number, shift: boolean) => void;
  onAck: (ids: number[]) => void;
  onFocus: (index: number) => void;
  /** The fault message in the UI language (the adapters' Chinese twin, else the stored English). */
  message: string;
}

/** One row; re-renders only when its own props change (500 rows stay cheap). */
class AlarmRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return p.alarm !== next.alarm || p.selected !== next.selected || p.focused !== next.focused || p.fresh !== next.fresh
      || p.changed !== next.changed || p.message !== next.message || p.canAct !== next.canAct || p.nowBucket !== next.nowBucket || p.index !== next.index;
  }

  override render(): JSX.Element {
    const { alarm: a, selected, focused, fresh, changed, canAct, index } = this.props;
    const prio = alarmPriority(a);
    const since = a.lastRaiseMs ?? a.changedAtMs;
    const cls = `arow prio-${prio} st-${a.state}${selected ? ' selected' : ''}${fresh ? ' fresh' : ''}${focused ? ' focused' : ''}`;
    return (
      <div role="row" aria-rowindex={index + 2} class={cls} data-alarm-id={a.id} data-code={a.code} data-state={a.state} tabIndex={focused ? 0 : -1} aria-selected={selected}
        onFocus={() => this.props.onFocus(index)}>
        <div role="gridcell" class="c sel">
          {canAct && <input type="checkbox" checked={selected} tabIndex={-1} aria-label={t('alarms.select', { code: a.code, device: a.device })}
            onClick={(e) => this.props.onToggle(a.id, index, (e as MouseEvent).shiftKey)} />}
        </div>
        <div role="gridcell" class="c"><span class={`prio prio-${prio}`} title={a.ticket ? t('alarms.prioFromTicket') : t('alarms.prioFromSeverity')}>{prio}</span></div>
        <div role="gridcell" class="c state"><span class={`state-badge st-${a.state}`}>{tx('alarmState', a.state)}</span>
          {a.chattering && <span class="tag" title={t('alarms.chatteringHint')}>{t('alarms.chattering')}</span>}
          {changed && <span class="changed-dot" title={t('alarms.changedHint')}>●<span class="sr">{t('alarms.changedHint')}</span></span>}
        </div>
        <div role="gridcell" class="c time"><time dateTime={new Date(since).toISOString()}>{fmtShort(since)}</time><br /><span class="muted">{fmtDuration(Date.now() - since)}</span></div>
        <div role="gridcell" class="c"><a href={`/devices/${enc(a.site)}/${enc(a.device)}`}>{a.device}</a><br /><span class="muted">{a.site}</span></div>
        <div role="gridcell" class="c code">
          {/* The alarm's page (timeline, comments). Focusing it makes its row the focused one, so the console's keys act on this row. */}
          <a class="alarm-link" href={`/alarms/${a.id}`} title={t('alarms.openPage')} onFocus={() => this.props.onFocus(index)}>{a.code}</a>
          <br /><span class="muted">{tx('severity', a.severity)}</span>
        </div>
        <div role="gridcell" class="c msg">{this.props.message}{a.shelved && <div class="muted">{t('alarms.shelvedUntil', { time: fmtShort(a.shelved.untilMs), by: a.shelved.by.id })}</div>}</div>
        <div role="gridcell" class="c">{a.ticket ? <a href={`/tickets/${a.ticket.id}`}>{a.ticket.number}</a> : <span class="muted">—</span>}</div>
        <div role="gridcell" class="c act">
          {canAct && !a.acknowledged && a.state !== 'shelved' && (
            <button type="button" class="small" tabIndex={-1} data-action="ack" onClick={() => this.props.onAck([a.id])}>{t('alarms.ack')}</button>
          )}
        </div>
      </div>
    );
  }
}

export function AlarmConsole() {
  const { user } = useSession();
  const texts = useFaultTexts();
  const canAct = useCan('operator');
  const alarms = useRef(new Map<number, Alarm>());
  const touched = useRef(new Map<number, number>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState('');
  const [floods, setFloods] = useState<FloodEpisode[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [focus, setFocus] = useState(0);
  const [fresh, setFresh] = useState<ReadonlyMap<number, number>>(new Map());
  const [seenAt, setSeenAt] = useState(() => readLastSeen(user.username));
  const [filter, setFilter] = useState('');
  const [showShelved, setShowShelved] = useState(false);
  const [dialog, setDialog] = useState<null | { kind: 'shelve' | 'unshelve'; ids: number[] }>(null);
  const [nowBucket, setNowBucket] = useState(() => Math.floor(Date.now() / 10_000));
  const renderQueued = useRef(false);
  const tableRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  /** The list had the focus before a change that may remove the focused row (set before the render). */
  const keepFocus = useRef(false);
  const anchor = useRef<number | null>(null);
  const noteFocus = (): void => { if (gridRef.current?.contains(document.activeElement)) keepFocus.current = true; };

  const freshQueue = useRef<number[]>([]);
  /**
   * One render for whatever arrived in one task: the browser dispatches every event of a stream
   * chunk in one task, so a zero timeout runs after all of them (a frame callback would add up to
   * 16 ms; rendering per event would redo the list for each).
   */
  const scheduleRender = (): void => {
    if (renderQueued.current) return;
    renderQueued.current = true;
    setTimeout(() => {
      renderQueued.current = false;
      noteFocus();
      const arrived = freshQueue.current.splice(0);
      if (arrived.length > 0) {
        const at = Date.now();
        setFresh((m) => { const next = new Map(m); for (const id of arrived) next.set(id, at); return next; });
      }
      setVersion((v) => v + 1);
    }, 0);
  };

  const apply = (a: Alarm): Alarm | undefined => {
    const prev = alarms.current.get(a.id);
    if (prev && prev.changedAtMs > a.changedAtMs) return prev;
    if (inConsole(a)) alarms.current.set(a.id, a); else alarms.current.delete(a.id);
    touched.current.set(a.id, performance.now());
    return prev;
  };

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      const started = performance.now();
      try {
        const [lists, fl] = await Promise.all([
          Promise.all(CONSOLE_STATES.map(async (s) => ({ alarms: await allPages<Alarm>(`/api/alarms?state=${s}&limit=1000`, 'alarms', { maxPages: 20 }) }))),
          api.get<{ episodes: FloodEpisode[] }>('/api/alarms/floods?limit=50'),
        ]);
        if (!alive) return;
        const next = new Map<number, Alarm>();
        for (const l of lists) for (const a of l.alarms) next.set(a.id, a);
        // Events that arrived while the lists were on their way are newer than the lists.
        for (const [id, at] of touched.current) {
          if (at < started) continue;
          const mine = alarms.current.get(id);
          const theirs = next.get(id);
          if (mine && (!theirs || mine.changedAtMs >= theirs.changedAtMs)) next.set(id, mine);
          if (!mine && theirs) next.delete(id);
        }
        alarms.current = next;
        for (const [id, at] of touched.current) if (at < started) touched.current.delete(id);
        setFloods(fl.episodes);
        setLoaded(true);
        setLoadError('');
        setVersion((v) => v + 1);
      } catch (err) {
        if (alive) setLoadError(String((err as Error).message));
      }
    };
    void load();
    const offHello = live.on('hello', () => { void load(); });
    const offAlarm = live.on('alarm', (d) => {
      const a = d as Alarm;
      const prev = apply(a);
      if (a.state === 'active-unacknowledged' && (!prev || prev.state !== 'active-unacknowledged' || a.raiseCount > prev.raiseCount)) {
        beep(alarmPriority(a) === 'P1');
        freshQueue.current.push(a.id);
      }
      scheduleRender();
    });
    const offFlood = live.on('flood', (d) => {
      const f = d as FloodEpisode;
      setFloods((list) => [f, ...list.filter((x) => !(x.site === f.site && x.startMs === f.startMs))]);
    });
    const tick = setInterval(() => {
      setNowBucket(Math.floor(Date.now() / 10_000));
      setFresh((m) => {
        if (m.size === 0) return m;
        const cutoff = Date.now() - FRESH_MS;
        const next = new Map([...m].filter(([, at]) => at > cutoff));
        return next.size === m.size ? m : next;
      });
    }, 2000);
    const remember = (): void => { if (document.visibilityState === 'hidden') writeLastSeen(user.username, Date.now()); };
    document.addEventListener('visibilitychange', remember);
    return () => {
      alive = false;
      offHello(); offAlarm(); offFlood();
      clearInterval(tick);
      document.removeEventListener('visibilitychange', remember);
      writeLastSeen(user.username, Date.now());
    };
  }, []);

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const list: Alarm[] = [];
    for (const a of alarms.current.values()) {
      if (!showShelved && a.state === 'shelved') continue;
      if (q && !`${a.site} ${a.device} ${a.code} ${a.message}`.toLowerCase().includes(q)) continue;
      list.push(a);
    }
    return list.sort(compareAlarms);
  }, [version, filter, showShelved]);

  const counts = useMemo(() => {
    const c = { unack: 0, shelved: 0, changed: 0, total: 0 };
    for (const a of alarms.current.values()) {
      c.total++;
      if (a.state === 'shelved') c.shelved++;
      if (a.state === 'active-unacknowledged' || a.state === 'cleared-unacknowledged') c.unack++;
      if (a.changedAtMs > seenAt) c.changed++;
    }
    return c;
  }, [version, seenAt]);

  const flooding = floods.filter((f) => f.endMs === null);
  const focusIndex = Math.min(focus, Math.max(0, rows.length - 1));
  const targetIds = (): number[] => (selected.size > 0 ? [...selected] : rows[focusIndex] ? [(rows[focusIndex] as Alarm).id] : []);

  const ack = async (ids: number[]): Promise<void> => {
    if (ids.length === 0) return;
    const hadFocus = gridRef.current?.contains(document.activeElement) ?? false;
    try {
      let done = ids.length;
      if (ids.length === 1) {
        apply(await api.post<Alarm>(`/api/alarms/${ids[0]}/ack`, {}));
      } else {
        const r = await api.post<BulkAlarmResult>('/api/alarms/ack', { ids });
        r.changed.forEach(apply);
        done = r.changed.length;
        if (r.failures.length > 0) toast('error', t('alarms.someFailed', { n: r.failures.length, first: r.failures[0]?.message ?? '' }));
      }
      if (done > 0) toast('ok', t('alarms.acked', { n: done }));
      if (hadFocus) keepFocus.current = true;
      setSelected(new Set());
      setVersion((v) => v + 1);
    } catch (err) {
      toastError(err);
    }
  };

  const toggle = (id: number, index: number, shift: boolean): void => {
    setSelected((s) => {
      const next = new Set(s);
      if (shift && anchor.current !== null) {
        const [from, to] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
        for (let i = from; i <= to; i++) { const r = rows[i]; if (r) next.add(r.id); }
      } else if (next.has(id)) next.delete(id); else next.add(id);
      return next;
    });
    anchor.current = index;
    setFocus(index);
  };

  const moveFocus = (index: number): void => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setFocus(i);
    const tr = tableRef.current?.children[i] as HTMLElement | undefined;
    tr?.focus();
  };

  const onKey = (e: KeyboardEvent): void => {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' && (e.target as HTMLInputElement).type !== 'checkbox') return;
    if ((tag === 'BUTTON' || tag === 'A') && (e.key === ' ' || e.key === 'Enter')) return;
    const row = rows[focusIndex];
    switch (e.key) {
      case 'ArrowDown': case 'j': moveFocus(focusIndex + 1); break;
      case 'ArrowUp': case 'k': moveFocus(focusIndex - 1); break;
      case 'Home': moveFocus(0); break;
      case 'End': moveFocus(rows.length - 1); break;
      case ' ': if (row && canAct) toggle(row.id, focusIndex, e.shiftKey); break;
      case 'a': case 'A': if (canAct && !e.ctrlKey && !e.metaKey) void ack(targetIds()); else return; break;
      case 's': case 'S': { const ids = targetIds(); if (canAct && ids.length > 0) setDialog({ kind: 'shelve', ids }); else return; break; }
      case 'Enter': if (row?.ticket) navigate(`/tickets/${row.ticket.id}`); else return; break;
      case 'Escape': setSelected(new Set()); break;
      default: return;
    }
    e.preventDefault();
  };

  // A row that had the focus left the list (acknowledged once cleared, or changed elsewhere): the
  // focus goes to the row now in its place (else the list itself), not to the page body.
  useEffect(() => {
    if (!keepFocus.current) return;
    keepFocus.current = false;
    const active = document.activeElement;
    if (active && active !== document.body && gridRef.current?.contains(active)) return;
    const row = tableRef.current?.children[focusIndex] as HTMLElement | undefined;
    (row ?? gridRef.current)?.focus();
  });

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const selectedShelved = [...selected].some((id) => alarms.current.get(id)?.state === 'shelved');

  return (
    <div class="page alarms-page">
      <div class="page-head">
        <h1>{t('alarms.title')}</h1>
        <p class="summary" data-testid="alarm-counts">
          {t('alarms.counts', { total: counts.total, unack: counts.unack, shelved: counts.shelved })}
        </p>
      </div>
      {flooding.map((f) => (
        <div key={f.site} class="banner flood" role="alert" data-testid="flood-banner">
          <strong>{t('alarms.floodTitle', { site: f.site })}</strong> {t('alarms.floodText', { since: fmtTime(f.startMs), n: f.alarms, peak: f.peak })}
        </div>
      ))}
      <div class="banner changed" data-testid="changed-since">
        <span>{seenAt > 0 ? t('alarms.changedSince', { n: counts.changed, time: fmtShort(seenAt) }) : t('alarms.firstVisit')}</span>
        <button type="button" class="small" onClick={() => { const n = Date.now(); setSeenAt(n); writeLastSeen(user.username, n); }}>{t('alarms.markSeen')}</button>
      </div>
      <div class="toolbar" role="toolbar" aria-label={t('alarms.actions')}>
        {canAct && (
          <>
            <button type="button" class="primary" data-testid="ack-selected" disabled={selected.size === 0} onClick={() => void ack([...selected])}>
              {t('alarms.ackSelected', { n: selected.size })}
            </button>
            <button type="button" disabled={selected.size === 0} onClick={() => setDialog({ kind: 'shelve', ids: [...selected] })}>{t('alarms.shelveSelected')}</button>
            {selectedShelved && <button type="button" onClick={() => setDialog({ kind: 'unshelve', ids: [...selected].filter((id) => alarms.current.get(id)?.state === 'shelved') })}>{t('alarms.unshelve')}</button>}
          </>
        )}
        <label class="inline"><input type="checkbox" checked={showShelved} onChange={(e) => setShowShelved((e.target as HTMLInputElement).checked)} /> {t('alarms.showShelved', { n: counts.shelved })}</label>
        <label class="sr" for="alarm-filter">{t('alarms.filter')}</label>
        <input id="alarm-filter" type="search" placeholder={t('alarms.filter')} value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <span class="muted hint">{canAct ? t('alarms.keys') : t('alarms.keysViewer')}</span>
      </div>
      {loadError && <p class="error" role="alert">{loadError}</p>}
      <div class="table-wrap">
        {/* A grid of block rows rather than a table: rows off screen skip layout and paint (content-visibility), so 500+ stay cheap. */}
        <div role="grid" ref={gridRef} tabIndex={-1} class="alarms" aria-label={t('alarms.title')} aria-rowcount={rows.length + 1} aria-multiselectable={canAct} onKeyDown={(e) => onKey(e)}>
          <div role="rowgroup" class="ahead">
            <div role="row" aria-rowindex={1} class="arow head">
              <div role="columnheader" class="c sel">
                {canAct && <input type="checkbox" aria-label={t('alarms.selectAll')} checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} />}
              </div>
              <div role="columnheader" class="c">{t('alarms.col.priority')}</div>
              <div role="columnheader" class="c">{t('alarms.col.state')}</div>
              <div role="columnheader" class="c">{t('alarms.col.time')}</div>
              <div role="columnheader" class="c">{t('alarms.col.device')}</div>
              <div role="columnheader" class="c">{t('alarms.col.code')}</div>
              <div role="columnheader" class="c">{t('alarms.col.message')}</div>
              <div role="columnheader" class="c">{t('alarms.col.ticket')}</div>
              <div role="columnheader" class="c"><span class="sr">{t('alarms.actions')}</span></div>
            </div>
          </div>
          <div role="rowgroup" ref={tableRef} data-testid="alarm-rows">
            {rows.map((a, i) => (
              <AlarmRow key={a.id} alarm={a} index={i} selected={selected.has(a.id)} focused={i === focusIndex} fresh={fresh.has(a.id)}
                changed={seenAt > 0 && a.changedAtMs > seenAt} canAct={canAct} nowBucket={nowBucket} message={faultMessage(texts, a.code, a.message)}
                onToggle={toggle} onAck={(ids) => void ack(ids)} onFocus={setFocus} />
            ))}
          </div>
        </div>
        {loaded && rows.length === 0 && <p class="empty">{t('alarms.none')}</p>}
        {!loaded && !loadError && <p class="empty" role="status">{t('common.loading')}</p>}
      </div>
      {dialog && (
        <ShelveDialog kind={dialog.kind} count={dialog.ids.length} onClose={() => setDialog(null)} onSubmit={async (reason, minutes) => {
          try {
            const body = dialog.kind === 'shelve' ? { ids: dialog.ids, reason, durationMinutes: minutes } : { ids: dialog.ids, reason };
            const r = await api.post<BulkAlarmResult>(`/api/alarms/${dialog.kind}`, body);
            r.changed.forEach(apply);
            if (r.failures.length > 0) toast('error', t('alarms.someFailed', { n: r.failures.length, first: r.failures[0]?.message ?? '' }));
            else toast('ok', dialog.kind === 'shelve' ? t('alarms.shelved', { n: r.changed.length }) : t('alarms.unshelved', { n: r.changed.length }));
            setSelected(new Set());
            setDialog(null);
            setVersion((v) => v + 1);
          } catch (err) {
            toastError(err);
          }
        }} />
      )}
    </div>
  );
}
