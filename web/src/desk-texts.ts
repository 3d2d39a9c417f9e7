/**
 * Texts the desk wrote from a device's English fault message, in the UI language: a ticket's title
 * ("<message> on <device>", core/tickets/ticket-rules.ts) and the reasons of the alarm transitions
 * the device caused (core/alarms/alarm-state.ts). The message goes through the adapters' Chinese
 * texts (fault-texts.ts); anything else (a title someone typed, a reason an operator wrote) stays as written.
 */
import type { FaultTextsJson } from '../../collector/api/fault-text-routes.js';
import { faultMessage } from './fault-texts';
import { t } from './i18n';

/** A ticket's title in the UI language when the desk built it from the fault message; else as stored. */
export function ticketTitleText(texts: FaultTextsJson | null, tk: { title: string; code: string; device: string }): string {
  if (!texts || !tk.code) return tk.title;
  const suffix = ` on ${tk.device}`;
  if (!tk.title.endsWith(suffix)) return tk.title;
  const en = tk.title.slice(0, -suffix.length);
  const message = faultMessage(texts, tk.code, en);
  return message === en ? tk.title : t('ticket.titleOn', { message, device: tk.device });
}

/** The reason of an alarm transition in the UI language where the desk wrote it (a raise's fault message, a clear, a plain acknowledgement). */
export function transitionReasonText(texts: FaultTextsJson | null, r: { transition: string; byKind: string; by: string; code: string; reason: string }): string {
  if (!texts) return r.reason;
  if (r.byKind === 'device' && r.transition === 'raise') {
    const late = /^([\s\S]*) \(late: seq (\d+), cleared since by seq (\d+)\)$/.exec(r.reason);
    if (late) return t('history.reasonLate', { message: faultMessage(texts, r.code, late[1] ?? ''), seq: late[2] ?? '', newest: late[3] ?? '' });
    return faultMessage(texts, r.code, r.reason);
  }
  if (r.byKind === 'device' && r.transition === 'clear' && r.reason === 'device reports the condition gone') return t('history.reasonGone');
  if (r.transition === 'acknowledge' && r.reason === `acknowledged by ${r.by}`) return t('history.reasonAcked', { who: r.by });
  return r.reason;
}
