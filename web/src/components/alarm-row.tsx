/** One row of the alarm console: priority, state, time, device, code, message, ticket, and its checkbox and acknowledge button. */
import { Component, type JSX } from 'preact';
import { alarmPriority } from '../alarm-priority';
import { enc } from '../api';
import { fmtDuration, fmtShort } from '../format';
import { t, tx } from '../i18n';
import type { Alarm } from '../types';

export interface RowProps {
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
export class AlarmRow extends Component<RowProps> {
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
