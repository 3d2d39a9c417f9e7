/**
 * Who is on call: now and next per team and tier (rotations with their covers), and for engineers
 * a form to set a cover (POST /api/on-call/overrides, audited).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { fmtDateTime } from '../format';
import { t } from '../i18n';
import { errorText, toast, toastError, useCan } from '../session';

interface Shift { member: string; memberName: string; from: string; to: string; via: string; reason: string }
interface Row { team: string; teamName: string; tier: string; rotation: string; now: Shift | null; next: Shift | null }
interface Board { at: string; rows: Row[] }

function ShiftCell(props: { shift: Shift | null; edge: 'to' | 'from' }) {
  const s = props.shift;
  if (!s) return <td>{t('onCall.nobody')}</td>;
  const when = Date.parse(props.edge === 'to' ? s.to : s.from);
  return (
    <td data-member={s.member} data-via={s.via}>
      <strong>{s.memberName}</strong>
      {s.via === 'override' ? <span class="badge" title={s.reason}> {t('onCall.override')}</span> : null}
      <div class="muted">{t(props.edge === 'to' ? 'onCall.until' : 'onCall.from', { time: fmtDateTime(when) })}</div>
    </td>
  );
}

export function OnCallPage() {
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  const canSet = useCan('engineer');
  const [form, setForm] = useState({ key: '', member: '', from: '', to: '', reason: '' });

  useEffect(() => {
    let alive = true;
    api.get<Board>('/api/on-call').then((b) => { if (alive) setBoard(b); }).catch((err: unknown) => { if (alive) setError(errorText(err)); });
    return () => { alive = false; };
  }, [tick]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const [team, rotation] = form.key.split('/');
    try {
      await api.post('/api/on-call/overrides', {
        team, rotation, member: form.member.trim(), reason: form.reason,
        from: new Date(form.from).toISOString(), to: new Date(form.to).toISOString(),
      });
      toast('ok', t('onCall.saved'));
      setTick(tick + 1);
    } catch (err) {
      toastError(err);
    }
  };

  return (
    <div class="page">
      <h1>{t('onCall.title')}</h1>
      {error ? <p role="alert">{error}</p> : null}
      {board ? (
        <table class="plain" data-testid="on-call-rows">
          <thead><tr><th>{t('onCall.team')}</th><th>{t('onCall.tier')}</th><th>{t('onCall.now')}</th><th>{t('onCall.next')}</th></tr></thead>
          <tbody>
            {board.rows.map((r) => (
              <tr key={`${r.team}/${r.rotation}`} data-team={r.team} data-rotation={r.rotation} data-tier={r.tier}>
                <td>{r.teamName}</td><td>{r.tier} <span class="muted">{r.rotation}</span></td>
                <ShiftCell shift={r.now} edge="to" /><ShiftCell shift={r.next} edge="from" />
              </tr>
            ))}
          </tbody>
        </table>
      ) : error ? null : <p>{t('common.loading')}</p>}
      {canSet && board ? (
        <form class="stack" onSubmit={(e) => { void submit(e); }} data-testid="override-form">
          <h2>{t('onCall.setOverride')}</h2>
          <label>{t('onCall.rotation')} <select id="oc-rotation" value={form.key} required onChange={(e) => setForm({ ...form, key: (e.target as HTMLSelectElement).value })}>
            <option value="" />
            {board.rows.map((r) => <option key={`${r.team}/${r.rotation}`} value={`${r.team}/${r.rotation}`}>{`${r.teamName} ${r.tier} (${r.rotation})`}</option>)}
          </select></label>
          <label>{t('onCall.member')} <input id="oc-member" value={form.member} required onInput={(e) => setForm({ ...form, member: (e.target as HTMLInputElement).value })} /></label>
          <label>{t('onCall.fromLabel')} <input id="oc-from" type="datetime-local" value={form.from} required onInput={(e) => setForm({ ...form, from: (e.target as HTMLInputElement).value })} /></label>
          <label>{t('onCall.toLabel')} <input id="oc-to" type="datetime-local" value={form.to} required onInput={(e) => setForm({ ...form, to: (e.target as HTMLInputElement).value })} /></label>
          <label>{t('onCall.reason')} <input id="oc-reason" value={form.reason} onInput={(e) => setForm({ ...form, reason: (e.target as HTMLInputElement).value })} /></label>
          <button type="submit">{t('onCall.save')}</button>
        </form>
      ) : null}
    </div>
  );
}
