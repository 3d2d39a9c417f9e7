/**
 * A ticket's SLA as the table and the ticket page show it: the clock that matters now with its due
 * time (not only the time left), a paused marker while waiting on the customer, and for a stopped
 * clock the time it took (a closed ticket's totals, not a clock that looks as if it still ran).
 */
import { fmtDuration, fmtShort } from '../format';
import { t } from '../i18n';
import { clockRemaining, slaView } from '../sla';
import type { Clock, TicketSummary } from '../types';

export function SlaCell(props: { ticket: TicketSummary; fetchedAt: number }) {
  const tk = props.ticket;
  const view = slaView(tk, props.fetchedAt, Date.now());
  const c = view.which === 'response' ? tk.sla.response : tk.sla.resolution;
  return (
    <span class={`sla sla-${view.level}`} data-testid="sla-cell">
      {t(`tickets.sla.${view.which}`)}: <ClockSummary c={c} fetchedAt={props.fetchedAt} />
    </span>
  );
}

/** One clock: "took 12m (met)" once stopped; else time left (or breached), due time, paused marker. */
export function ClockSummary(props: { c: Clock; fetchedAt: number }) {
  const c = props.c;
  if (c.state === 'stopped') {
    const met = c.met !== false && !c.breached;
    return <span data-clock="stopped">{t('sla.took', { d: fmtDuration(c.elapsedMs) })} ({met ? t('tickets.slaMet') : t('tickets.slaMissed')}, {t('ticket.target')} {fmtDuration(c.targetMs)})</span>;
  }
  const left = clockRemaining(c, props.fetchedAt, Date.now());
  return (
    <span data-clock={c.state}>
      {left <= 0 || c.breached ? t('tickets.slaBreached', { d: fmtDuration(-left) }) : t('sla.left', { d: fmtDuration(left) })}
      {c.dueMs !== null && <> · <span data-testid="sla-due">{t('sla.due', { time: fmtShort(c.dueMs) })}</span></>}
      {c.state === 'paused' && <> · <span class="tag paused" data-testid="sla-paused">{t('sla.pausedMarker')}</span></>}
    </span>
  );
}
