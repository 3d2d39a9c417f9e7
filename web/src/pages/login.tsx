import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { currentLang, setLang, t } from '../i18n';
import { errorText } from '../session';
import type { AuthSession } from '../types';

export function LoginPage(props: { error?: string | undefined; onLogin: (s: AuthSession) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(props.error ?? '');
  const [, relang] = useState(0);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await api.post<AuthSession>('/api/auth/login', { username: username.trim(), password }, { quiet401: true });
      props.onLogin(s);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'FL_ERR_AUTH_FAILED') setError(t('login.failed'));
      else if (err instanceof ApiError && err.code === 'FL_ERR_AUTH_THROTTLED') setError(t('login.throttled', { s: String(err.details.retryAfterS ?? '') }));
      else setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <form class="login card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">faultline</h1>
        <p class="muted">{t('login.subtitle')}</p>
        <label for="login-user">{t('login.username')}</label>
        <input id="login-user" name="username" autoComplete="username" autoFocus required value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        <label for="login-pass">{t('login.password')}</label>
        <input id="login-pass" name="password" type="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? t('common.working') : t('login.submit')}</button>
        <button type="button" class="link" onClick={() => { setLang(currentLang() === 'en' ? 'zh' : 'en'); relang((v) => v + 1); }}>
          {currentLang() === 'en' ? '中文' : 'English'}
        </button>
      </form>
    </div>
  );
}
