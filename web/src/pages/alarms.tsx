/**
 * The alarm console (the operator's home): active and unacknowledged alarms sorted by priority
 * (the working ticket's, else the severity's) then newest first; live over SSE; a beep and a flash
 * for a new unacknowledged alarm; acknowledge one or many; shelve with reason and duration; what
 * changed since this user last looked (kept per user in localStorage); a banner while a site floods.
 * The alarms are kept current by useConsoleAlarms (console-alarms.ts); a row is components/alarm-row.tsx.
 *
 * Keyboard: ↑/↓ (or j/k) move, Space selects, A acknowledges, S shelves, Enter opens the ticket,
 * Esc clears the selection.
 */
import { faultMessage, useFaultTexts } from '../fault-texts';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { alarmPriority } from '../alarm-priority';
import { api } from '../api';
import { useConsoleAlarms } from '../console-alarms';
import { fmtShort, fmtTime } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { toast, toastError, useCan, useSession } from '../session';
import type { Alarm, BulkAlarmResult } from '../types';
import { AlarmRow } from '../components/alarm-row';
import { ShelveDialog } from '../components/shelve-dialog';

export { alarmPriority };

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

export function AlarmConsole() {
  const { user } = useSession();
  const texts = useFaultTexts();
  const canAct = useCan('operator');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [focus, setFocus] = useState(0);
  const [seenAt, setSeenAt] = useState(() => readLastSeen(user.username));
  const [filter, setFilter] = useState('');
  const [showShelved, setShowShelved] = useState(false);
  const [dialog, setDialog] = useState<null | { kind: 'shelve' | 'unshelve'; ids: number[] }>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  /** The list had the focus before a change that may remove the focused row (set before the render). */
  const keepFocus = useRef(false);
  const anchor = useRef<number | null>(null);
  const noteFocus = (): void => { if (gridRef.current?.contains(document.activeElement)) keepFocus.current = true; };

  const { alarms, version, changed, apply, loaded, loadError, floods, fresh, nowBucket } = useConsoleAlarms(noteFocus);

  // What changed since this user last looked: remembered when the page is hidden or left.
  useEffect(() => {
    const remember = (): void => { if (document.visibilityState === 'hidden') writeLastSeen(user.username, Date.now()); };
    document.addEventListener('visibilitychange', remember);
    return () => {
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
      changed();
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
            changed();
          } catch (err) {
            toastError(err);
          }
        }} />
      )}
    </div>
  );
}
