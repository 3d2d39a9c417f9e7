/**
 * Working a ticket that is not closed: take it, assign / reassign it to a person or a team,
 * override its priority with a reason, wait on the customer (pauses the resolution clock) and
 * resume. The server audits each; the caller's `act` posts the action and reloads the ticket.
 */
import { useState } from 'preact/hooks';
import { Dialog } from './dialog';
import { AssignDialog, ReasonForm } from './ticket-bulk-bar';
import { t } from '../i18n';
import { useSession } from '../session';
import { PRIORITIES, type TicketSummary } from '../types';

type Act = (action: string, body?: Record<string, unknown>) => Promise<boolean>;

export function TicketWorkButtons(props: { ticket: TicketSummary; act: Act }) {
  const tk = props.ticket;
  const me = useSession().user.username;
  const [dialog, setDialog] = useState<'assign' | 'priority' | 'wait' | null>(null);
  const close = (): void => setDialog(null);
  const open = tk.status !== 'resolved';
  return (
    <>
      {tk.assignee !== me && <button type="button" data-testid="take" onClick={() => void props.act('take')}>{t('ticketAction.take')}</button>}
      <button type="button" data-testid="assign" onClick={() => setDialog('assign')}>{t('ticketAction.assign')}</button>
      {open && <button type="button" data-testid="priority" onClick={() => setDialog('priority')}>{t('ticketAction.priority')}</button>}
      {(tk.status === 'acknowledged' || tk.status === 'in-progress') && (
        <button type="button" data-testid="wait" onClick={() => setDialog('wait')}>{t('ticketAction.wait')}</button>
      )}
      {tk.status === 'waiting-on-customer' && <button type="button" data-testid="resume" onClick={() => void props.act('resume')}>{t('ticketAction.resume')}</button>}
      {dialog === 'assign' && <AssignDialog onClose={close} onSubmit={async (b) => { if (await props.act('assign', b)) close(); }} />}
      {dialog === 'priority' && <PriorityDialog current={tk.priority} onClose={close} onSubmit={async (b) => { if (await props.act('priority', b)) close(); }} />}
      {dialog === 'wait' && (
        <Dialog title={t('ticketAction.wait')} onClose={close}>
          <ReasonForm submit={t('ticketAction.wait')} required onCancel={close} onSubmit={async (reason) => { if (await props.act('wait', { reason })) close(); }} />
        </Dialog>
      )}
    </>
  );
}

function PriorityDialog(props: { current: string; onClose: () => void; onSubmit: (b: { priority: string; reason: string }) => Promise<void> }) {
  const [priority, setPriority] = useState(props.current);
  const [reason, setReason] = useState('');
  return (
    <Dialog title={t('ticketAction.priority')} onClose={props.onClose}>
      <form onSubmit={(e) => { e.preventDefault(); void props.onSubmit({ priority, reason: reason.trim() }); }}>
        <label for="po-priority">{t('tickets.priority')}</label>
        <select id="po-priority" value={priority} onChange={(e) => setPriority((e.target as HTMLSelectElement).value)}>
          {PRIORITIES.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
        <label for="po-reason">{t('alarms.reason')}</label>
        <textarea id="po-reason" required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" class="primary" disabled={!reason.trim()}>{t('ticketAction.priority')}</button>
        </div>
      </form>
    </Dialog>
  );
}
