/** Bulk actions on the selected tickets: acknowledge, assign (to a person or a team's queue), close; failures reported. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { Dialog } from './dialog';
import { t } from '../i18n';
import { toast, toastError } from '../session';

interface BulkResult { changed: unknown[]; failures: Array<{ number: string; id: number; message: string }> }

export function BulkBar(props: { ids: number[]; onDone: () => void }) {
  const [dialog, setDialog] = useState<'assign' | 'close' | null>(null);
  const run = async (action: 'ack' | 'assign' | 'close', body: Record<string, unknown> = {}): Promise<void> => {
    try {
      const r = await api.post<BulkResult>(`/api/tickets/bulk/${action}`, { ...body, ids: props.ids });
      toast(r.failures.length ? 'warn' : 'ok', t('ticketTable.bulkDone', { done: r.changed.length, failed: r.failures.length }));
      for (const f of r.failures.slice(0, 3)) toast('warn', `${f.number || f.id}: ${f.message}`);
      setDialog(null);
      props.onDone();
    } catch (err) { toastError(err); }
  };
  return (
    <div class="toolbar bulk" role="toolbar" aria-label={t('ticketTable.bulk')}>
      <span>{t('ticketTable.selected', { n: props.ids.length })}</span>
      <button type="button" data-testid="bulk-ack" onClick={() => void run('ack')}>{t('ticketAction.ack')}</button>
      <button type="button" data-testid="bulk-assign" onClick={() => setDialog('assign')}>{t('ticketAction.assign')}</button>
      <button type="button" data-testid="bulk-close" onClick={() => setDialog('close')}>{t('ticketAction.close')}</button>
      {dialog === 'assign' && <AssignDialog onClose={() => setDialog(null)} onSubmit={(b) => run('assign', b)} />}
      {dialog === 'close' && (
        <Dialog title={t('ticketAction.close')} onClose={() => setDialog(null)}>
          <ReasonForm submit={t('ticketAction.close')} required={false} onCancel={() => setDialog(null)} onSubmit={(reason) => run('close', { reason })} />
        </Dialog>
      )}
    </div>
  );
}

/** Assign to a member (empty: the team's queue), optionally on another team, with a reason. */
export function AssignDialog(props: { onClose: () => void; onSubmit: (b: { assignee: string | null; team?: string; reason: string }) => Promise<void> }) {
  const [assignee, setAssignee] = useState('');
  const [team, setTeam] = useState('');
  const [reason, setReason] = useState('');
  return (
    <Dialog title={t('ticketAction.assign')} onClose={props.onClose}>
      <form onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit({ assignee: assignee.trim() || null, ...(team.trim() ? { team: team.trim() } : {}), reason: reason.trim() });
      }}>
        <label for="as-assignee">{t('ticketTable.assignTo')}</label>
        <input id="as-assignee" value={assignee} placeholder={t('ticketTable.teamQueue')} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} />
        <label for="as-team">{t('tickets.team')}</label>
        <input id="as-team" value={team} onInput={(e) => setTeam((e.target as HTMLInputElement).value)} />
        <label for="as-reason">{t('alarms.reason')}</label>
        <textarea id="as-reason" required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" class="primary" disabled={!reason.trim()}>{t('ticketAction.assign')}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function ReasonForm(props: { submit: string; required: boolean; onCancel: () => void; onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  return (
    <form onSubmit={(e) => { e.preventDefault(); void props.onSubmit(reason.trim()); }}>
      <label for="bulk-reason">{t('alarms.reason')}</label>
      <textarea id="bulk-reason" required={props.required} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      <div class="buttons">
        <button type="button" onClick={props.onCancel}>{t('common.cancel')}</button>
        <button type="submit" class="primary" disabled={props.required && !reason.trim()}>{props.submit}</button>
      </div>
    </form>
  );
}
