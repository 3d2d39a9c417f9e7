/** Admin: a user's API tokens (id, name, created, last used; never the token), revoked one by one or all at once. */
import { useEffect, useState } from 'preact/hooks';
import type { TokenJson } from '../../../collector/api/auth-schemas.js';
import { api, enc } from '../api';
import { fmtDateTime } from '../format';
import { t } from '../i18n';
import { errorText, toast, toastError } from '../session';
import type { UserJson } from '../types';

export function ApiTokens() {
  const [users, setUsers] = useState<UserJson[]>([]);
  const [username, setUsername] = useState('');
  const [tokens, setTokens] = useState<TokenJson[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => { api.get<{ users: UserJson[] }>('/api/users').then((r) => setUsers(r.users)).catch((e: unknown) => setError(errorText(e))); }, []);
  const load = (name: string): void => {
    setTokens(null);
    if (!name) return;
    api.get<{ tokens: TokenJson[] }>(`/api/users/${enc(name)}/tokens`).then((r) => setTokens(r.tokens)).catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(() => load(username), [username]);

  const revoke = async (tk: TokenJson): Promise<void> => {
    if (!window.confirm(t('admin.tokens.revokeConfirm', { name: tk.name, user: username }))) return;
    try { await api.del(`/api/users/${enc(username)}/tokens/${tk.id}`); toast('ok', t('admin.tokens.revoked', { name: tk.name })); load(username); } catch (err) { toastError(err); }
  };
  const revokeAll = async (): Promise<void> => {
    if (!window.confirm(t('admin.tokens.revokeAllConfirm', { user: username }))) return;
    try {
      const r = await api.del<{ tokens: TokenJson[] }>(`/api/users/${enc(username)}/tokens`);
      toast('ok', t('admin.tokens.revokedAll', { n: r.tokens.length, user: username }));
      load(username);
    } catch (err) { toastError(err); }
  };

  return (
    <section class="card" aria-labelledby="adm-tokens" data-testid="api-tokens">
      <h2 id="adm-tokens">{t('admin.tokens.title')}</h2>
      <p class="muted">{t('admin.tokens.note')}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <label for="tok-user">{t('login.username')}</label>{' '}
      <select id="tok-user" value={username} onChange={(e) => setUsername((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {users.map((u) => <option key={u.username} value={u.username}>{u.username}</option>)}
      </select>
      {username && tokens && (tokens.length === 0 ? <p class="muted">{t('admin.tokens.none', { user: username })}</p> : (
        <>
          <div class="table-wrap">
            <table class="plain">
              <thead><tr>
                <th scope="col">{t('admin.tokens.id')}</th><th scope="col">{t('admin.tokens.name')}</th><th scope="col">{t('admin.created')}</th>
                <th scope="col">{t('admin.tokens.lastUsed')}</th><th scope="col"><span class="sr">{t('admin.revoke')}</span></th>
              </tr></thead>
              <tbody>{tokens.map((tk) => (
                <tr key={tk.id}>
                  <td class="mono">{tk.id}</td><td>{tk.name}</td><td>{fmtDateTime(tk.createdAtMs)}</td><td>{fmtDateTime(tk.lastUsedAtMs)}</td>
                  <td><button type="button" class="small danger" onClick={() => void revoke(tk)}>{t('admin.revoke')}</button></td>
                </tr>
              ))}</tbody>
            </table>
          </div>
          <button type="button" class="danger" onClick={() => void revokeAll()}>{t('admin.tokens.revokeAll')}</button>
        </>
      ))}
    </section>
  );
}
