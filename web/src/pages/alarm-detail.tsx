/**
 * One alarm: its state, priority and ticket, its timeline (every transition and comment, from the
 * alarm history), comments, and the acknowledgement, with the choice to acknowledge the ticket
 * working its fault in the same step (recorded in both). Live: the alarm's stream events reload it.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, enc, qs } from '../api';
import { fmtDateTime } from '../format';
import { t, tx } from '../i18n';
import { live } from '../live';
import { errorText, toast, toastError, useCan } from '../session';
import type { Alarm } from '../types';
import type { AlarmHistoryJson } from '../../../collector/api/alarm-history-schemas.js';
import { alarmPriority } from './alarms';
import { faultMessage, useFaultTexts } from '../fault-texts';
import { transitionReasonText } from '../desk-texts';

type Transition = AlarmHistoryJson['transitions'][number];

export function AlarmDetailPage(props: { id: string }) {
  const [alarm, setAlarm] = useState<Alarm | null>(null);
  const [timeline, setTimeline] = useState<Transition[]>([]);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [withTicket, setWithTicket] = useState(true);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const canAct = useCan('operator');
  const texts = useFaultTexts();

  const load = async (): Promise<void> => {
    try {
      const a = await api.get<Alarm>(`/api/alarms/${enc(props.id)}`);
      const h = await api.get<AlarmHistoryJson>(`/api/alarms/history${qs({ site: a.site, device: a.device, code: a.code, limit: 1000 })}`);
      setAlarm(a);
      setTimeline([...h.transitions].reverse());
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    void load();
    const offs = [live.on('hello', () => { void load(); }), live.on('alarm', (d) => { if ((d as Alarm).id === Number(props.id)) void load(); })];
    return () => offs.forEach((off) => off());
  }, [props.id]);

  if (error) return <div class="page"><p class="error" role="alert">{error}</p></div>;
  if (!alarm) return <div class="page"><p role="status">{t('common.loading')}</p></div>;
  const ticketAckable = alarm.ticket !== null && alarm.ticket.status === 'new';
  const canAck = canAct && !alarm.acknowledged && alarm.state !== 'shelved' && alarm.state !== 'normal';

  const ack = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      if (ticketAckable && withTicket && alarm.ticket) {
        await api.post(`/api/alarms/${alarm.id}/ack-with-ticket`, { ticketId: alarm.ticket.id, ...(note.trim() ? { note } : {}) });
        toast('ok', t('alarm.ackedBoth', { ticket: alarm.ticket.number }));
      } else {
        await api.post(`/api/alarms/${alarm.id}/ack`, note.trim() ? { note } : {});
        toast('ok', t('alarms.acked', { n: 1 }));
      }
      setNote('');
      await load();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const addComment = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!comment.trim()) return;
    setBusy(true);
    try {
      await api.post(`/api/alarms/${alarm.id}/comments`, { text: comment });
      setComment('');
      await load();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };

  const prio = alarmPriority(alarm);
  return (
    <div class="page alarm-detail">
      <div class="page-head">
        <h1><span class={`prio prio-${prio}`}>{prio}</span> {alarm.code} <span class="muted">{alarm.device} · {alarm.site}</span></h1>
        <p class="summary">
          <span class={`state-badge st-${alarm.state}`} data-testid="alarm-state" data-state={alarm.state}>{tx('alarmState', alarm.state)}</span>{' '}
          <span data-testid="alarm-message">{faultMessage(texts, alarm.code, alarm.message)}</span> · <a href={`/devices/${enc(alarm.site)}/${enc(alarm.device)}`}>{t('nav.devices')}</a>
          {alarm.ticket && <> · <a href={`/tickets/${alarm.ticket.id}`} data-testid="alarm-ticket" data-status={alarm.ticket.status}>{alarm.ticket.number}</a> ({tx('ticketStatus', alarm.ticket.status)})</>}
        </p>
      </div>
      {canAck && (
        <form class="card" onSubmit={(e) => void ack(e)} aria-labelledby="ack-title">
          <h2 id="ack-title">{t('alarms.ack')}</h2>
          <label for="ack-note">{t('alarm.note')}</label>
          <input id="ack-note" type="text" value={note} maxLength={2000} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          {ticketAckable && alarm.ticket && (
            <label class="inline"><input type="checkbox" data-testid="ack-ticket-too" checked={withTicket} onChange={(e) => setWithTicket((e.target as HTMLInputElement).checked)} />
              {' '}{t('alarm.ackTicketToo', { ticket: alarm.ticket.number })}</label>
          )}
          <div class="buttons"><button type="submit" class="primary" data-testid="ack-alarm" disabled={busy}>{t('alarms.ack')}</button></div>
        </form>
      )}
      <section class="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('alarm.timeline')}</h2>
        <ol class="timeline" data-testid="alarm-timeline">
          {timeline.map((x) => (
            <li key={x.seq} data-transition={x.transition}>
              <time dateTime={new Date(x.atMs).toISOString()}>{fmtDateTime(x.atMs)}</time>{' '}
              <strong>{tx('history.tr', x.transition)}</strong>
              {x.transition !== 'comment' && x.to && <> → {tx('alarmState', x.to)}</>} · {x.by}
              {x.reason && <div class={x.transition === 'comment' ? 'comment-text' : 'muted'}>{transitionReasonText(texts, x)}</div>}
            </li>
          ))}
        </ol>
        {canAct && (
          <form onSubmit={(e) => void addComment(e)}>
            <label for="alarm-comment">{t('alarm.comment')}</label>
            <textarea id="alarm-comment" rows={2} maxLength={2000} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
            <div class="buttons"><button type="submit" data-testid="add-comment" disabled={busy || !comment.trim()}>{t('alarm.addComment')}</button></div>
          </form>
        )}
      </section>
    </div>
  );
}
