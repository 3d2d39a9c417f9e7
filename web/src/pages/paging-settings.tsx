/** My paging choices: the address, immediately / digest / none, quiet hours and the digest time (PUT /api/me/paging). */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t, tx } from '../i18n';
import { errorText, toast, toastError } from '../session';

type Mode = 'immediately' | 'digest' | 'none';
interface Prefs { email: string; mode: Mode; timeZone: string; quietHours: { start: string; end: string } | null; digestAt: string }
interface PrefsJson { member: string; source: 'user' | 'config' | 'none'; prefs: Prefs | null }

const BROWSER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function PagingSettingsPage() {
  const [data, setData] = useState<PrefsJson | null>(null);
  const [error, setError] = useState('');
  const [form, setForm] = useState({ email: '', mode: 'immediately' as Mode, timeZone: BROWSER_TZ, quiet: false, start: '22:00', end: '07:00', digestAt: '08:00' });

  useEffect(() => {
    api.get<PrefsJson>('/api/me/paging').then((d) => {
      setData(d);
      const p = d.prefs;
      if (p) setForm({ email: p.email, mode: p.mode, timeZone: p.timeZone, quiet: p.quietHours !== null, start: p.quietHours?.start ?? '22:00', end: p.quietHours?.end ?? '07:00', digestAt: p.digestAt });
    }).catch((err: unknown) => setError(errorText(err)));
  }, []);

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const d = await api.put<PrefsJson>('/api/me/paging', {
        email: form.email.trim(), mode: form.mode, timeZone: form.timeZone, digestAt: form.digestAt,
        quietHours: form.quiet ? { start: form.start, end: form.end } : null,
      });
      setData(d);
      toast('ok', t('paging.saved'));
    } catch (err) {
      toastError(err);
    }
  };
  const set = (k: keyof typeof form) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setForm({ ...form, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };

  return (
    <div class="page">
      <h1>{t('paging.title')}</h1>
      {error ? <p role="alert">{error}</p> : null}
      {data ? (
        <form class="stack" data-testid="paging-form" data-source={data.source} onSubmit={(e) => { void save(e); }}>
          <p class="muted">{tx('paging.source', data.source)}</p>
          <label>{t('paging.email')} <input id="pg-email" type="email" required value={form.email} onInput={set('email')} /></label>
          <label>{t('paging.mode')} <select id="pg-mode" value={form.mode} onChange={set('mode')}>
            <option value="immediately">{t('paging.mode.immediately')}</option>
            <option value="digest">{t('paging.mode.digest')}</option>
            <option value="none">{t('paging.mode.none')}</option>
          </select></label>
          <label>{t('paging.timeZone')} <input id="pg-tz" required value={form.timeZone} onInput={set('timeZone')} /></label>
          <label><input id="pg-quiet" type="checkbox" checked={form.quiet} onChange={set('quiet')} /> {t('paging.quiet')}</label>
          {form.quiet ? (
            <span>
              <label>{t('paging.quietFrom')} <input id="pg-start" type="time" value={form.start} onInput={set('start')} /></label>
              <label>{t('paging.quietTo')} <input id="pg-end" type="time" value={form.end} onInput={set('end')} /></label>
            </span>
          ) : null}
          <label>{t('paging.digestAt')} <input id="pg-digest" type="time" value={form.digestAt} onInput={set('digestAt')} /></label>
          <button type="submit">{t('paging.save')}</button>
        </form>
      ) : error ? null : <p>{t('common.loading')}</p>}
    </div>
  );
}
