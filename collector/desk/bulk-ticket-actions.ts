/**
 * One ticket action on many tickets in one unit of work (the ticket table's bulk acknowledge,
 * assign, close): each ticket goes through the same core rules and gets its own audit record; a
 * ticket the action does not fit is reported in `failures` and the others go ahead.
 */
import { FaultlineError } from '../../protocol/errors.js';
import type { Actor } from '../core/desk/audit-record.js';
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import type { DeskWork } from './desk-work.js';
import { ticketAction, type TicketAction } from './ticket-actions.js';

export interface BulkTicketResult {
  changed: DeskTicket[];
  failures: Array<{ id: number; number: string; code: string; message: string }>;
}

export function bulkTicketAction(work: DeskWork, ids: readonly number[], action: TicketAction, actor: Actor): BulkTicketResult {
  const result: BulkTicketResult = { changed: [], failures: [] };
  for (const id of new Set(ids)) {
    const t = work.repo.tickets.get(id);
    if (!t) {
      result.failures.push({ id, number: '', code: 'FL_ERR_API_NOT_FOUND', message: `no ticket ${id}` });
      continue;
    }
    try {
      // The core decides before anything is written: a refusal leaves this ticket as it was.
      result.changed.push(ticketAction(work, t, action, actor));
    } catch (err) {
      if (!(err instanceof FaultlineError)) throw err;
      result.failures.push({ id, number: t.number, code: err.code, message: err.message });
    }
  }
  return result;
}
