/** Shelve or unshelve one or many alarms: a reason (always) and, to shelve, a duration. */
import { useState } from 'preact/hooks';
import { fmtDuration } from '../format';
import { t } from '../i18n';
import { Dialog } from './dialog';

const DURATIONS = [15, 30, 60, 120, 240, 480];

export function ShelveDialog(props: { kind: 'shelve' | 'unshelve'; count: number; onClose: () => void; onSubmit: (reason: string, minutes: number) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [busy, setBusy] = useState(false);
  const title = props.kind === 'shelve' ? t('alarms.shelveTitle', { n: props.count }) : t('alarms.unshelveTitle', { n: props.count });
  return (
    <Dialog title={title} onClose={props.onClose}>
      <form onSubmit={async (e) => { e.preventDefault(); setBusy(true); await props.onSubmit(reason.trim(), minutes); setBusy(false); }}>
        <label for="shelve-reason">{t('alarms.reason')}</label>
        <textarea id="shelve-reason" required minLength={1} maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        {props.kind === 'shelve' && (
          <>
            <label for="shelve-duration">{t('alarms.duration')}</label>
            <select id="shelve-duration" value={minutes} onChange={(e) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
              {DURATIONS.map((m) => <option key={m} value={m}>{fmtDuration(m * 60_000)}</option>)}
            </select>
          </>
        )}
        <div class="buttons">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" class="primary" disabled={busy || reason.trim() === ''}>{props.kind === 'shelve' ? t('alarms.shelve') : t('alarms.unshelve')}</button>
        </div>
      </form>
    </Dialog>
  );
}
