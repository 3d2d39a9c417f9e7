/** The app shell: session check, login, header navigation by role, the live feed, page routing. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized, setCsrfToken } from './api';
import { isMuted, setMuted, unlockAudio } from './beep';
import { BROWSER_TZ, setTimeZone, timeZone } from './format';
import { currentLang, setLang, t, tx, type Lang } from './i18n';
import { live, type LiveStatus } from './live';
import { AdminPage } from './pages/admin';
import { AlarmConsole } from './pages/alarms';
import { DevicePage, DeviceList } from './pages/devices';
import { LoginPage } from './pages/login';
import { PlantOverview } from './pages/plant';
import { AlarmHistoryPage } from './pages/alarm-history';
import { AlarmDetailPage } from './pages/alarm-detail';
import { ReportsPage } from './pages/reports';
import { OnCallPage } from './pages/on-call';
import { PagingSettingsPage } from './pages/paging-settings';
import { TicketBoard } from './pages/tickets';
import { TicketPage } from './pages/ticket';
import { TicketTable } from './pages/ticket-table';
import { match, navigate, onLinkClick, usePath } from './router';
import { onToasts, roleAllows, SessionContext, type SessionState, type Toast } from './session';
import type { AuthSession, Role } from './types';

type Auth = { state: 'loading' } | { state: 'out'; error?: string } | { state: 'in'; session: AuthSession; open: boolean };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [, setLangVersion] = useState(0);

  useEffect(() => {
    api.get<AuthSession>('/api/auth/me', { quiet401: true })
      .then((s) => { setCsrfToken(s.csrfToken); setAuth({ state: 'in', session: s, open: false }); })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) {
          // A collector without users (the auth routes are absent): the API is open.
          setAuth({ state: 'in', open: true, session: { csrfToken: null, user: { username: 'api', displayName: 'api', role: 'admin' } } });
        } else {
          setAuth({ state: 'out', ...(err instanceof ApiError && err.status !== 401 ? { error: err.message } : {}) });
        }
      });
    return onUnauthorized(() => { setCsrfToken(null); live.stop(); setAuth({ state: 'out', error: t('login.expired') }); });
  }, []);

  useEffect(() => {
    if (auth.state !== 'in') return;
    live.start();
    return () => live.stop();
  }, [auth.state]);

  if (auth.state === 'loading') return <div class="loading" role="status">{t('common.loading')}</div>;
  if (auth.state === 'out') {
    return <LoginPage error={auth.error} onLogin={(s) => { unlockAudio(); setCsrfToken(s.csrfToken); setAuth({ state: 'in', session: s, open: false }); }} />;
  }

  const session: SessionState = {
    user: auth.session.user, open: auth.open,
    logout: () => {
      void api.post('/api/auth/logout', {}, { quiet401: true }).catch(() => undefined).finally(() => {
        setCsrfToken(null);
        live.stop();
        navigate('/', true);
        setAuth({ state: 'out' });
      });
    },
  };
  const relang = (l: Lang): void => { setLang(l); setLangVersion((v) => v + 1); };
  return (
    <SessionContext.Provider value={session}>
      {/* Keyed by language and zone: switching either renders every page afresh. */}
      <Shell key={`${currentLang()}|${timeZone()}`} onLang={relang} onTz={(z) => { setTimeZone(z); setLangVersion((v) => v + 1); }} />
    </SessionContext.Provider>
  );
}

function homeFor(role: Role): string {
  if (role === 'engineer') return '/tickets';
  // Operators and viewers land on the plant overview; admins keep the alarm console.
  return role === 'admin' ? '/alarms' : '/plant';
}

function Shell(props: { onLang: (l: Lang) => void; onTz: (z: string) => void }) {
  const path = usePath();
  return (
    <SessionContext.Consumer>
      {(s) => {
        const session = s as SessionState;
        const role = session.user.role;
        return (
          <div class="shell" onClick={onLinkClick}>
            <a class="skip" href="#main">{t('nav.skip')}</a>
            <Header path={path} session={session} onLang={props.onLang} onTz={props.onTz} />
            {session.open && <div class="banner info" role="note">{t('login.openApi')}</div>}
            <main id="main" tabIndex={-1}>{route(path, role)}</main>
            <Toasts />
          </div>
        );
      }}
    </SessionContext.Consumer>
  );
}

function route(path: string, role: Role): ComponentChildren {
  if (path === '/' || path === '/login') {
    queueMicrotask(() => navigate(homeFor(role), true));
    return null;
  }
  if (path === '/alarms') return <AlarmConsole />;
  if (path === '/plant') return <PlantOverview />;
  if (path === '/alarms/history') return <AlarmHistoryPage />;
  const alarmMatch = match('/alarms/:id', path);
  if (alarmMatch && /^[1-9][0-9]*$/.test(alarmMatch.id as string)) return <AlarmDetailPage key={alarmMatch.id} id={alarmMatch.id as string} />;
  if (path === '/tickets') return <TicketBoard />;
  if (path === '/ticket-list') return <TicketTable />;
  let m = match('/tickets/:id', path);
  if (m) return <TicketPage key={m.id} id={m.id as string} />;
  if (path === '/devices') return <DeviceList />;
  m = match('/devices/:site/:device', path);
  if (m) return <DevicePage key={`${m.site}/${m.device}`} site={m.site as string} device={m.device as string} />;
  if (path === '/reports') return <ReportsPage />;
  if (path === '/on-call') return <OnCallPage />;
  if (path === '/settings/paging') return <PagingSettingsPage />;
  if (path === '/admin') return roleAllows(role, 'admin') ? <AdminPage /> : <NotAllowed />;
  return <div class="page"><h1>{t('common.notFound')}</h1><p><a href="/">{t('nav.home')}</a></p></div>;
}

function NotAllowed() {
  return <div class="page"><h1>{t('error.FL_ERR_FORBIDDEN')}</h1></div>;
}

const ZONES = ['UTC', 'Europe/Berlin', 'Europe/London', 'Asia/Shanghai', 'Asia/Tokyo', 'America/New_York', 'America/Chicago', 'America/Los_Angeles'];

function Header(props: { path: string; session: SessionState; onLang: (l: Lang) => void; onTz: (z: string) => void }) {
  const { user } = props.session;
  const [status, setStatus] = useState<LiveStatus>(live.status);
  const [muted, setMutedState] = useState(isMuted());
  useEffect(() => live.on('status', (s) => setStatus(s as LiveStatus)), []);
  const links: Array<[string, string, Role]> = [
    ['/plant', t('nav.plant'), 'viewer'],
    ['/alarms', t('nav.alarms'), 'viewer'],
    ['/alarms/history', t('nav.alarmHistory'), 'viewer'],
    ['/tickets', t('nav.tickets'), 'viewer'],
    ['/ticket-list', t('nav.ticketTable'), 'viewer'],
    ['/devices', t('nav.devices'), 'viewer'],
    ['/reports', t('nav.reports'), 'viewer'],
    ['/on-call', t('nav.onCall'), 'viewer'],
    ['/settings/paging', t('nav.paging'), 'viewer'],
    ['/admin', t('nav.admin'), 'admin'],
  ];
  const zones = [...new Set([BROWSER_TZ, timeZone(), ...ZONES])];
  return (
    <header class="top">
      <a class="brand" href="/" aria-label="faultline">faultline</a>
      <nav aria-label={t('nav.main')}>
        <ul>
          {links.filter(([, , min]) => roleAllows(user.role, min)).map(([href, label]) => (
            <li key={href}><a href={href} aria-current={props.path === href || props.path.startsWith(`${href}/`) ? 'page' : undefined}>{label}</a></li>
          ))}
        </ul>
      </nav>
      <div class="tools">
        <span class={`live live-${status}`} role="status" title={t(`live.${status}`)}>
          <span class="dot" aria-hidden="true" />{t(`live.${status}`)}
        </span>
        <button type="button" class="icon" aria-pressed={muted} onClick={() => { setMuted(!muted); setMutedState(!muted); if (muted) unlockAudio(); }}
          title={muted ? t('sound.unmute') : t('sound.mute')}><SoundIcon muted={muted} /><span class="sr">{muted ? t('sound.unmute') : t('sound.mute')}</span></button>
        <label class="sr" for="tz-select">{t('settings.timeZone')}</label>
        <select id="tz-select" value={timeZone()} onChange={(e) => props.onTz((e.target as HTMLSelectElement).value)} title={t('settings.timeZone')}>
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
        <button type="button" data-testid="lang-toggle" onClick={() => props.onLang(currentLang() === 'en' ? 'zh' : 'en')}
          aria-label={t('settings.language')} lang={currentLang() === 'en' ? 'zh-CN' : 'en'}>{currentLang() === 'en' ? '中文' : 'English'}</button>
        <span class="user" title={user.username}>{user.displayName} · <span data-testid="role">{tx('role', user.role)}</span></span>
        {!props.session.open && <button type="button" onClick={props.session.logout}>{t('login.logout')}</button>}
      </div>
    </header>
  );
}

function SoundIcon(props: { muted: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d="M4 9v6h4l5 4V5L8 9H4z" fill="currentColor" />
      {props.muted ? <path d="M17 9l5 6M22 9l-5 6" /> : <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />}
    </svg>
  );
}

function Toasts() {
  const [items, setItems] = useState<Toast[]>([]);
  useEffect(() => onToasts(setItems), []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((x) => <div key={x.id} class={`toast toast-${x.kind}`}>{x.text}</div>)}
    </div>
  );
}
