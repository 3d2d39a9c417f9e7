/**
 * Acknowledging an alarm and the ticket working its fault in one step (one unit of work: both or
 * neither). Each records the other: the alarm's acknowledgement names the ticket, the ticket's
 * names the alarm, both in the audit trail.
 */
import { alarmId } from '../core/alarms/alarm-state.js';
import type { Actor } from '../core/desk/audit-record.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import type { StoredAlarm } from '../store/port.js';
import { alarmAction } from './alarm-actions.js';
import type { DeskWork } from './desk-work.js';
import { ticketAction } from './ticket-actions.js';

export interface AlarmTicketAck {
  alarm: StoredAlarm;
  ticket: DeskTicket;
}

export function ackAlarmAndTicket(work: DeskWork, id: number, ticketId: number, note: string, actor: Actor): AlarmTicketAck {
  const stored = work.repo.alarms.byId(id);
  const t = work.repo.tickets.get(ticketId);
  if (!stored || !t) throw new FaultlineError('FL_ERR_API_NOT_FOUND', !stored ? `no alarm ${id}` : `no ticket ${ticketId}`, { context: { alarm: id, ticket: ticketId } });
  const key = stored.alarm.key;
  if (t.site !== key.site || t.device !== key.device || t.code !== key.code) {
    throw new FaultlineError('FL_ERR_TICKET_INVALID_TRANSITION', `ticket ${t.number} does not work the fault of alarm ${alarmId(key)}`, {
      context: { alarm: id, ticket: t.number }, hint: 'acknowledge the alarm alone, or the ticket on its own page',
    });
  }
  const text = note.trim();
  const alarm = alarmAction(work, id, { type: 'ack', note: `${text ? `${text} ` : ''}(with ticket ${t.number})` }, actor);
  const ticket = ticketAction(work, t, { type: 'ack', note: `${text ? `${text} ` : ''}(with alarm ${alarmId(key)})` }, actor);
  return { alarm, ticket };
}
