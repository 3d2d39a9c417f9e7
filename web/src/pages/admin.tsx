/** Admin: users and roles, device provisioning (the credential is shown once), the routing / SLA / teams config in force. */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api';
import { fmtDateTime, fmtDuration } from '../format';
import { t, tx } from '../i18n';
import { errorText, toast, toastError, useSession } from '../session';
import { ApiTokens } from './admin-tokens';
import { Pager, useCursorPages, type CursorPage } from '../components/pager';
import { FailedDeliveries } from './admin-webhooks';
import { ROLES, type Credential, type DeskConfigView, type IssuedDevice, type Role, type UserJson } from '../types';

const USERS_PAGE = 50;

export function AdminPage() {
  return (
    <div class="page admin-page">
      <div class="page-head"><h1>{t('admin.title')}</h1></div>
      <Users />
      <ApiTokens />
      <Provisioning />
      <FailedDeliveries />
      <ConfigView />
    </div>
  );
}

function Users() {
  const me = useSession().user;
  const pages = useCursorPages<{ users: UserJson[] } & CursorPage>('/api/users', USERS_PAGE);
  const users = pages.page?.users ?? null;
  const error = pages.error;
  const [form, setForm] = useState({ username: '', displayName: '', role: 'operator' as Role, password: '' });
  const load = pages.reload;

  const patch = async (u: UserJson, body: Record<string, unknown>): Promise<void> => {
    try { await api.patch(`/api/users/${enc(u.username)}`, body); toast('ok', t('admin.userSaved', { user: u.username })); load(); } catch (err) { toastError(err); }
  };
  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      await api.post('/api/users', { username: form.username.trim(), role: form.role, password: form.password, ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}) });
      toast('ok', t('admin.userCreated', { user: form.username }));
      setForm({ username: '', displayName: '', role: 'operator', password: '' });
      load();
    } catch (err) { toastError(err); }
  };

  return (
    <section class="card" aria-labelledby="adm-users">
      <h2 id="adm-users">{t('admin.users')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {users && (
        <div class="table-wrap">
          <table class="plain">
            <thead><tr>
              <th scope="col">{t('login.username')}</th><th scope="col">{t('admin.displayName')}</th><th scope="col">{t('admin.role')}</th>
              <th scope="col">{t('admin.lastLogin')}</th><th scope="col">{t('admin.state')}</th>
            </tr></thead>
            <tbody>{users.map((u) => (
              <tr key={u.username}>
                <td class="mono">{u.username}</td>
                <td>{u.displayName}</td>
                <td>
                  <label class="sr" for={`role-${u.username}`}>{t('admin.role')}</label>
                  <select id={`role-${u.username}`} value={u.role} disabled={u.username === me.username} onChange={(e) => void patch(u, { role: (e.target as HTMLSelectElement).value })}>
                    {ROLES.map((r) => <option key={r} value={r}>{tx('role', r)}</option>)}
                  </select>
                </td>
                <td>{fmtDateTime(u.lastLoginAtMs)}</td>
                <td>
                  <button type="button" class="small" disabled={u.username === me.username} onClick={() => void patch(u, { disabled: !u.disabled })}>
                    {u.disabled ? t('admin.enable') : t('admin.disable')}
                  </button> {u.disabled && <span class="tag">{t('admin.disabled')}</span>}
                </td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      <Pager pages={pages} shown={users?.length ?? 0} testId="users-pager" />
      <form class="inline-form" onSubmit={create} aria-label={t('admin.newUser')}>
        <h3>{t('admin.newUser')}</h3>
        <label for="nu-name">{t('login.username')}</label>
        <input id="nu-name" required pattern="[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}" value={form.username} onInput={(e) => setForm({ ...form, username: (e.target as HTMLInputElement).value })} />
        <label for="nu-display">{t('admin.displayName')}</label>
        <input id="nu-display" value={form.displayName} onInput={(e) => setForm({ ...form, displayName: (e.target as HTMLInputElement).value })} />
        <label for="nu-role">{t('admin.role')}</label>
        <select id="nu-role" value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{tx('role', r)}</option>)}
        </select>
        <label for="nu-pass">{t('login.password')}</label>
        <input id="nu-pass" type="password" autoComplete="new-password" required minLength={10} value={form.password} onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })} />
        <button type="submit" class="primary">{t('admin.create')}</button>
      </form>
    </section>
  );
}

function Provisioning() {
  const [creds, setCreds] = useState<Credential[] | null>(null);
  const [error, setError] = useState('');
  const [site, setSite] = useState('');
  const [device, setDevice] = useState('');
  const [replace, setReplace] = useState(false);
  const [issued, setIssued] = useState<IssuedDevice | null>(null);
  const load = (): void => { api.get<{ credentials: Credential[] }>('/api/admin/devices').then((r) => setCreds(r.credentials)).catch((e: unknown) => setError(errorText(e))); };
  useEffect(load, []);

  const issue = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      setIssued(await api.post<IssuedDevice>('/api/admin/devices', { site: site.trim(), device: device.trim(), ...(replace ? { replace: true } : {}) }));
      load();
    } catch (err) { toastError(err); }
  };
  const revoke = async (c: Credential): Promise<void> => {
    if (!c.site || !c.device || !window.confirm(t('admin.revokeConfirm', { name: `${c.site}/${c.device}` }))) return;
    try { await api.del(`/api/admin/devices/${enc(c.site)}/${enc(c.device)}`); toast('ok', t('admin.revoked')); load(); } catch (err) { toastError(err); }
  };

  return (
    <section class="card" aria-labelledby="adm-dev">
      <h2 id="adm-dev">{t('admin.provisioning')}</h2>
      <form class="inline-form" onSubmit={issue}>
        <label for="pv-site">{t('devices.site')}</label>
        <input id="pv-site" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" value={site} onInput={(e) => setSite((e.target as HTMLInputElement).value)} />
        <label for="pv-dev">{t('devices.device')}</label>
        <input id="pv-dev" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" value={device} onInput={(e) => setDevice((e.target as HTMLInputElement).value)} />
        <label class="inline"><input type="checkbox" checked={replace} onChange={(e) => setReplace((e.target as HTMLInputElement).checked)} /> {t('admin.replace')}</label>
        <button type="submit" class="primary">{t('admin.issue')}</button>
      </form>
      {issued && (
        <div class="secret" role="alert" data-testid="issued-credential">
          <p><strong>{t('admin.shownOnce')}</strong></p>
          <pre tabIndex={0}>{`username: ${issued.username}\npassword: ${issued.password}\nwriteKey: ${issued.writeKey}`}</pre>
          <button type="button" onClick={() => { void navigator.clipboard?.writeText(`username: ${issued.username}\npassword: ${issued.password}\nwriteKey: ${issued.writeKey}`); toast('ok', t('admin.copied')); }}>{t('admin.copy')}</button>
          <button type="button" onClick={() => setIssued(null)}>{t('admin.hide')}</button>
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {creds && (
        <div class="table-wrap">
          <table class="plain">
            <thead><tr><th scope="col">{t('admin.credential')}</th><th scope="col">{t('admin.kind')}</th><th scope="col">{t('admin.created')}</th><th scope="col">{t('admin.writeKey')}</th><th scope="col">{t('admin.state')}</th></tr></thead>
            <tbody>{creds.map((c) => (
              <tr key={c.username}>
                <td class="mono">{c.username}</td><td>{c.kind}</td><td>{fmtDateTime(c.rotatedMs ?? c.createdMs)}</td><td>{c.writeKey ? '✓' : '—'}</td>
                <td>{c.revokedMs ? <span class="tag">{t('admin.revokedAt', { time: fmtDateTime(c.revokedMs) })}</span>
                  : c.kind === 'device' ? <button type="button" class="small danger" onClick={() => void revoke(c)}>{t('admin.revoke')}</button> : null}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ConfigView() {
  const [cfg, setCfg] = useState<DeskConfigView | null>(null);
  const [error, setError] = useState('');
  useEffect(() => { api.get<DeskConfigView>('/api/config').then(setCfg).catch((e: unknown) => setError(errorText(e))); }, []);
  const c = cfg?.config;
  return (
    <section class="card" aria-labelledby="adm-cfg">
      <h2 id="adm-cfg">{t('admin.config')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {cfg && c && (
        <>
          <p class="muted">{t('admin.configSource', { source: cfg.source, time: fmtDateTime(cfg.loadedAtMs) })}</p>
          <h3>{t('admin.slaTargets')}</h3>
          <table class="plain">
            <thead><tr><th scope="col">{t('tickets.priority')}</th><th scope="col">{t('tickets.sla.response')}</th><th scope="col">{t('tickets.sla.resolution')}</th><th scope="col">{t('admin.calendar')}</th></tr></thead>
            <tbody>{Object.entries(c.sla?.targets ?? {}).map(([p, x]) => (
              <tr key={p}><th scope="row">{p}</th><td>{fmtDuration((x.responseMinutes ?? 0) * 60_000)}</td><td>{fmtDuration((x.resolutionMinutes ?? 0) * 60_000)}</td><td>{x.calendar ?? '24x7'}</td></tr>
            ))}</tbody>
          </table>
          <h3>{t('admin.teams')}</h3>
          <ul>{(c.teams ?? []).map((tm) => (
            <li key={tm.id}><strong>{tm.name || tm.id}</strong> ({tm.id}): {(tm.members ?? []).map((m) => `${m.name || m.id} ${m.tier ?? ''}`).join(', ') || '—'}</li>
          ))}</ul>
          <h3>{t('admin.routing')}</h3>
          <p>{t('admin.routingDefault', { team: c.routing?.defaultTeam ?? '—', tier: c.routing?.defaultTier ?? '—' })}</p>
          {(c.routing?.rules ?? []).length > 0 && (
            <table class="plain">
              <thead><tr><th scope="col">{t('admin.rule')}</th><th scope="col">{t('admin.match')}</th><th scope="col">{t('tickets.team')}</th><th scope="col">{t('admin.tier')}</th></tr></thead>
              <tbody>{(c.routing?.rules ?? []).map((r) => (
                <tr key={r.id}><td class="mono">{r.id}</td><td class="mono small">{JSON.stringify(r.match ?? {})}</td><td>{r.team ?? '—'}</td><td>{r.tier ?? '—'}</td></tr>
              ))}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
