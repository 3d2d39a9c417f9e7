/**
 * One ticket: header with SLA clocks, the telemetry around the fault (uPlot), the timeline (events,
 * comments and the audit trail), the log excerpt, knowledge-base suggestions, comments, and the
 * engineer's actions (acknowledge, start, resolve with a resolution note, escalate, close, reopen).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api';
import { faultMessage, faultRemedy, kbEntryText, useFaultTexts } from '../fault-texts';
import { ticketTitleText } from '../desk-texts';
import type { FaultTextsJson } from '../../../collector/api/fault-text-routes.js';
import { priorityReasonText } from '../priority-reason';
import { Chart, PALETTE, type ChartSeries } from '../components/chart';
import { Dialog } from '../components/dialog';
import { ClockSummary, SlaCell } from '../components/ticket-sla-cell';
import { TicketWorkButtons } from '../components/ticket-work-buttons';
import { fmtDateTime } from '../format';
import { t, tx } from '../i18n';
import { live } from '../live';
import { slaView } from '../sla';
import { toast, toastError, useCan } from '../session';
import type { AuditRecord, KbSuggestions, TicketDetail, TicketSummary } from '../types';
import { gapMarkers, gapSummary, gapsOf } from '../quality';

interface TimelineItem { atMs: number; kind: 'event' | 'comment' | 'audit'; title: string; text: string; who: string }

export function TicketPage(props: { id: string }) {
  const texts = useFaultTexts();
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const [error, setError] = useState('');
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [kb, setKb] = useState<KbSuggestions | null>(null);
  const canWork = useCan('engineer');
  const canComment = useCan('operator');
  const [dialog, setDialog] = useState<'resolve' | 'escalate' | 'reopen' | null>(null);

  const load = async (): Promise<void> => {
    try {
      const tk = await api.get<TicketDetail>(`/api/tickets/${enc(props.id)}`);
      setTicket(tk);
      setFetchedAt(Date.now());
      setError('');
      if (canWork) {
        api.get<{ records: AuditRecord[] }>(`/api/audit?subject=${enc(tk.number)}&limit=200`).then((r) => setAudit(r.records)).catch(() => setAudit([]));
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? t('ticket.notFound', { id: props.id }) : (err as Error).message);
    }
  };

  useEffect(() => {
    void load();
    api.get<KbSuggestions>(`/api/tickets/${enc(props.id)}/kb`).then(setKb).catch(() => setKb(null));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = live.on('ticket', (d) => {
      const tk = d as TicketSummary;
      if (String(tk.id) !== props.id && tk.number !== props.id) return;
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 300);
    });
    const offHello = live.on('hello', () => { void load(); });
    return () => { off(); offHello(); clearTimeout(timer); };
  }, [props.id]);

  const act = async (action: string, body: Record<string, unknown> = {}): Promise<boolean> => {
    if (!ticket) return false;
    try {
      await api.post(`/api/tickets/${ticket.id}/${action}`, body);
      toast('ok', t('ticket.done', { action: tx('ticketAction', action) }));
      await load();
      return true;
    } catch (err) {
      toastError(err);
      return false;
    }
  };

  if (error) return <div class="page"><p class="error" role="alert">{error}</p><a href="/tickets">{t('nav.tickets')}</a></div>;
  if (!ticket) return <div class="page"><p role="status">{t('common.loading')}</p></div>;
  const tk = ticket;
  const sla = slaView(tk, fetchedAt, Date.now());

  return (
    <div class="page ticket-page">
      <div class="page-head">
        <h1><span class={`prio prio-${tk.priority}`}>{tk.priority}</span> {tk.number} <span class="title" data-testid="ticket-title">{ticketTitleText(texts, tk)}</span></h1>
        <p class="summary">
          <span class={`status-badge status-${tk.status}`} data-testid="ticket-status">{tx('ticketStatus', tk.status)}</span>
          {' · '}{tk.device ? <a href={`/devices/${enc(tk.site)}/${enc(tk.device)}`}>{tk.site} / {tk.device}</a> : tk.site}
          {' · '}{tk.code}{' · '}{tk.faultActive ? <strong class="fault-on">{t('tickets.faultActive')}</strong> : t('ticket.faultCleared', { time: fmtDateTime(tk.clearedAtMs) })}
        </p>
      </div>
      {canWork && (
        <div class="toolbar" role="toolbar" aria-label={t('ticket.actions')}>
          {tk.status === 'new' && <button type="button" class="primary" onClick={() => void act('ack')}>{t('ticketAction.ack')}</button>}
          {tk.status === 'acknowledged' && <button type="button" onClick={() => void act('start')}>{t('ticketAction.start')}</button>}
          {['new', 'acknowledged', 'in-progress', 'waiting-on-customer'].includes(tk.status) && (
            <>
              <button type="button" data-testid="resolve" onClick={() => setDialog('resolve')}>{t('ticketAction.resolve')}</button>
              <button type="button" onClick={() => setDialog('escalate')}>{t('ticketAction.escalate')}</button>
            </>
          )}
          {tk.status === 'resolved' && <button type="button" onClick={() => void act('close', {})}>{t('ticketAction.close')}</button>}
          {tk.status !== 'closed' && <TicketWorkButtons ticket={tk} act={act} />}
          {(tk.status === 'resolved' || tk.status === 'closed') && <button type="button" onClick={() => setDialog('reopen')}>{t('ticketAction.reopen')}</button>}
        </div>
      )}
      <div class="grid two">
        <section class="card" aria-labelledby="tk-facts">
          <h2 id="tk-facts">{t('ticket.facts')}</h2>
          <dl class="facts">
            <dt>{t('ticket.priority')}</dt><dd>{tk.priority} — <span data-testid="priority-reason">{priorityReasonText(tk.priorityReason)}</span>{tk.priorityOverride && (
              <span data-testid="priority-override"> ({t('ticket.overridden', { who: tk.priorityOverride.by.id, why: tk.priorityOverride.why, computed: tk.priorityOverride.computed })})</span>
            )}</dd>
            <dt>{t('ticket.assignee')}</dt><dd>{tk.assignee ?? t('tickets.unassigned')} {tk.team ? `(${tk.team}, ${tk.tier})` : ''}</dd>
            <dt>{t('ticket.opened')}</dt><dd>{fmtDateTime(tk.openedAtMs)}</dd>
            <dt>{t('ticket.occurrences')}</dt><dd>{tk.occurrences}</dd>
            <dt>{t('ticket.slaResponse')}</dt><dd data-testid="clock-response"><ClockSummary c={tk.sla.response} fetchedAt={fetchedAt} /></dd>
            <dt>{t('ticket.slaResolution')}</dt><dd data-testid="clock-resolution"><ClockSummary c={tk.sla.resolution} fetchedAt={fetchedAt} /></dd>
            <dt>{t('ticket.escalations')}</dt><dd>{tk.escalation.count}</dd>
            {tk.remedy && <><dt>{t('ticket.remedy')}</dt><dd data-testid="remedy">{faultRemedy(texts, tk.code, tk.remedy)}</dd></>}
            {tk.resolution && <><dt>{t('ticket.resolution')}</dt><dd>{tk.resolution.cause} → {tk.resolution.action} ({tx('fix', tk.resolution.fix)}, {tk.resolution.by.id})</dd></>}
          </dl>
          <p class={`sla sla-${sla.level}`} data-testid="ticket-sla"><SlaCell ticket={tk} fetchedAt={fetchedAt} /></p>
        </section>
        <section class="card" aria-labelledby="tk-kb">
          <h2 id="tk-kb">{t('ticket.kb')}</h2>
          {kb === null || kb.suggestions.length === 0 ? <p class="muted">{t('ticket.kbNone')}</p> : (
            <ol class="kb">
              {kb.suggestions.slice(0, 5).map((s) => {
                const e = kbEntryText(texts, s.entry);
                return (
                  <li key={s.entry.id} data-testid="kb-entry">
                    <strong>{e.title}</strong> {s.entry.reviewed ? '' : <span class="tag">{t('ticket.kbUnreviewed')}</span>}
                    <div class="muted small">{s.reason}</div>
                    <p data-testid="kb-remedy">{e.remedy}</p>
                    {e.diagnosis.length > 0 && <ul>{e.diagnosis.map((d, i) => <li key={i}>{d}</li>)}</ul>}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>
      <section class="card" aria-labelledby="tk-chart">
        <h2 id="tk-chart">{t('ticket.telemetry')}</h2>
        <TelemetryChart ticket={tk} />
      </section>
      <div class="grid two">
        <section class="card" aria-labelledby="tk-timeline">
          <h2 id="tk-timeline">{t('ticket.timeline')}</h2>
          <Timeline ticket={tk} audit={audit} texts={texts} />
          {canComment && <CommentForm onSubmit={(text) => act('comments', { text })} />}
        </section>
        <section class="card" aria-labelledby="tk-log">
          <h2 id="tk-log">{t('ticket.log')}</h2>
          {tk.logExcerpt.length === 0 ? <p class="muted">{t('ticket.logNone')}</p> : <pre class="log" tabIndex={0}>{tk.logExcerpt.join('\n')}</pre>}
        </section>
      </div>
      {dialog === 'resolve' && <ResolveDialog onClose={() => setDialog(null)} onSubmit={async (b) => { if (await act('resolve', b)) setDialog(null); }} />}
      {(dialog === 'escalate' || dialog === 'reopen') && (
        <ReasonDialog title={t(`ticketAction.${dialog}`)} onClose={() => setDialog(null)} onSubmit={async (reason) => { if (await act(dialog, { reason })) setDialog(null); }} />
      )}
    </div>
  );
}

function TelemetryChart(props: { ticket: TicketDetail }) {
  const tk = props.ticket;
  const params = useMemo(() => {
    const related = new Set(tk.snapshot.map((s) => s.parameter));
    const all = [...new Set(tk.telemetry.map((p) => p.parameter))];
    return all.sort((a, b) => Number(related.has(b)) - Number(related.has(a)) || a.localeCompare(b));
  }, [tk]);
  const [shown, setShown] = useState<string[]>(() => params.slice(0, 3));
  const data = useMemo(() => {
    const sel = shown.filter((p) => params.includes(p));
    const times = [...new Set(tk.telemetry.filter((p) => sel.includes(p.parameter)).map((p) => p.timeMs))].sort((a, b) => a - b);
    const index = new Map(times.map((x, i) => [x, i]));
    const series: ChartSeries[] = sel.map((p, k) => {
      const values: Array<number | null> = new Array<number | null>(times.length).fill(null);
      // A reading that is not good (bad: no value; uncertain: not a measurement) is a gap, never a 0 or a spike.
      for (const s of tk.telemetry) if (s.parameter === p && s.quality === 'good') values[index.get(s.timeMs) as number] = s.value;
      return { label: p, values, color: PALETTE[k % PALETTE.length] as string };
    });
    const markers = [{ atMs: tk.firstSeenMs, label: t('ticket.faultMarker'), color: '#b91c1c' }];
    if (tk.clearedAtMs) markers.push({ atMs: tk.clearedAtMs, label: t('ticket.clearMarker'), color: '#047857' });
    const notGood = tk.telemetry.filter((s) => sel.includes(s.parameter) && s.quality !== 'good').length;
    // Each parameter's gaps (readings without a value: bad, stale), marked on its chart with why.
    const noValue = tk.telemetry.filter((s) => sel.includes(s.parameter) && s.quality !== 'good' && s.quality !== 'uncertain');
    const gapsBy = new Map(sel.map((p) => [p, gapMarkers(gapsOf(p, tk.telemetry.filter((s) => s.parameter === p)
      .map((s) => ({ timeMs: s.timeMs, hasValue: s.quality === 'good' || s.quality === 'uncertain', ...(s.reason ? { reason: s.reason } : {}) }))), false)]));
    return { x: times, series, markers, notGood, gapsBy, gapSummary: gapSummary(noValue.map((s) => s.reason)), gapReasons: [...new Set(noValue.map((s) => s.reason ?? ''))].join(',') };
  }, [tk, shown, params]);
  if (params.length === 0) return <p class="muted">{t('ticket.noTelemetry')}</p>;
  return (
    <div>
      <fieldset class="params">
        <legend>{t('ticket.parameters')}</legend>
        {params.map((p) => (
          <label key={p} class="inline">
            <input type="checkbox" checked={shown.includes(p)} onChange={() => setShown((s) => (s.includes(p) ? s.filter((x) => x !== p) : [...s, p]))} /> {p}
          </label>
        ))}
      </fieldset>
      {/* One chart per parameter (their scales differ by orders of magnitude), cursors in step. */}
      {data.series.map((s) => (
        <Chart key={s.label} x={data.x} series={[s]} markers={[...data.markers, ...(data.gapsBy.get(s.label) ?? [])]} height={150} sync="ticket"
          ariaLabel={t('ticket.telemetryAria', { n: data.x.length, name: s.label })} />
      ))}
      <p class="muted small">{t('ticket.telemetryNote', { n: tk.telemetry.length })}</p>
      {data.notGood > 0 && <p class="muted small" data-testid="not-good">{t('ticket.telemetryNotGood', { n: data.notGood })}</p>}
      {data.gapSummary !== '' && <p class="muted small" data-testid="telemetry-gaps" data-reasons={data.gapReasons}>{t('ticket.telemetryGaps', { list: data.gapSummary })}</p>}
    </div>
  );
}

function Timeline(props: { ticket: TicketDetail; audit: AuditRecord[]; texts: FaultTextsJson | null }) {
  const items = useMemo(() => {
    const list: TimelineItem[] = [];
    for (const e of props.ticket.events) {
      list.push({ atMs: e.timeMs, kind: 'event', title: `${tx('transition', e.transition)} ${e.code}`, text: faultMessage(props.texts, e.code, e.message), who: t('ticket.device') });
    }
    for (const c of props.ticket.comments) list.push({ atMs: c.atMs, kind: 'comment', title: t('ticket.comment'), text: c.text, who: c.author.id });
    for (const r of props.audit) {
      if (r.action === 'comment') continue;
      list.push({ atMs: r.atMs, kind: 'audit', title: `${r.action}${r.from || r.to ? ` ${r.from ?? ''} → ${r.to ?? ''}` : ''}`, text: r.reason, who: r.actor.id });
    }
    return list.sort((a, b) => a.atMs - b.atMs);
  }, [props.ticket, props.audit, props.texts]);
  return (
    <ol class="timeline">
      {items.map((x, i) => (
        <li key={i} class={`tl tl-${x.kind}`}>
          <time dateTime={new Date(x.atMs).toISOString()}>{fmtDateTime(x.atMs)}</time>
          <span class="who">{x.who}</span>
          <strong>{x.title}</strong>
          {x.text && <div>{x.text}</div>}
        </li>
      ))}
    </ol>
  );
}

function CommentForm(props: { onSubmit: (text: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  return (
    <form class="comment" onSubmit={async (e) => { e.preventDefault(); if (await props.onSubmit(text.trim())) setText(''); }}>
      <label for="comment-text">{t('ticket.addComment')}</label>
      <textarea id="comment-text" required value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={text.trim() === ''}>{t('ticket.postComment')}</button>
    </form>
  );
}

function ResolveDialog(props: { onClose: () => void; onSubmit: (b: { cause: string; action: string; fix: string }) => Promise<void> }) {
  const [cause, setCause] = useState('');
  const [action, setAction] = useState('');
  const [fix, setFix] = useState('permanent');
  return (
    <Dialog title={t('ticketAction.resolve')} onClose={props.onClose}>
      <form onSubmit={(e) => { e.preventDefault(); void props.onSubmit({ cause: cause.trim(), action: action.trim(), fix }); }}>
        <label for="res-cause">{t('ticket.cause')}</label>
        <textarea id="res-cause" required value={cause} onInput={(e) => setCause((e.target as HTMLTextAreaElement).value)} />
        <label for="res-action">{t('ticket.actionTaken')}</label>
        <textarea id="res-action" required value={action} onInput={(e) => setAction((e.target as HTMLTextAreaElement).value)} />
        <label for="res-fix">{t('ticket.fix')}</label>
        <select id="res-fix" value={fix} onChange={(e) => setFix((e.target as HTMLSelectElement).value)}>
          <option value="permanent">{tx('fix', 'permanent')}</option>
          <option value="workaround">{tx('fix', 'workaround')}</option>
        </select>
        <div class="buttons">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" class="primary" disabled={!cause.trim() || !action.trim()}>{t('ticketAction.resolve')}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function ReasonDialog(props: { title: string; onClose: () => void; onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={(e) => { e.preventDefault(); void props.onSubmit(reason.trim()); }}>
        <label for="reason-text">{t('alarms.reason')}</label>
        <textarea id="reason-text" required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" class="primary" disabled={!reason.trim()}>{props.title}</button>
        </div>
      </form>
    </Dialog>
  );
}

