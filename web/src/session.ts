/** Who is signed in, what their role allows, and app-wide messages (toasts). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError } from './api';
import { t, tx } from './i18n';
import { ROLES, type Role, type SessionUser } from './types';

export interface SessionState {
  user: SessionUser;
  /** No login on this collector (the auth routes are absent): the API is open. */
  open: boolean;
  logout: () => void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

export function roleAllows(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** True when the signed-in user's role is `minimum` or above. */
export function useCan(minimum: Role): boolean {
  return roleAllows(useSession().user.role, minimum);
}

// ---------------------------------------------------------------- toasts

export interface Toast { id: number; kind: 'ok' | 'warn' | 'error'; text: string }
type ToastListener = (toasts: Toast[]) => void;
let toasts: Toast[] = [];
let nextId = 1;
const toastListeners = new Set<ToastListener>();

export function onToasts(fn: ToastListener): () => void {
  toastListeners.add(fn);
  return () => toastListeners.delete(fn);
}

export function toast(kind: Toast['kind'], text: string): void {
  const item = { id: nextId++, kind, text };
  toasts = [...toasts.slice(-3), item];
  toastListeners.forEach((fn) => fn(toasts));
  setTimeout(() => {
    toasts = toasts.filter((x) => x.id !== item.id);
    toastListeners.forEach((fn) => fn(toasts));
  }, kind === 'error' ? 8000 : 4000);
}

/** An error as a person should read it: the API's message, with the code's explanation when we have one. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const known = tx('error', err.code);
    const explained = known !== err.code ? known : '';
    if (err.code === 'FL_ERR_FORBIDDEN') {
      const role = typeof err.details.requiredRole === 'string' ? tx('role', err.details.requiredRole) : '';
      return role ? t('error.forbiddenRole', { role }) : explained || err.message;
    }
    return explained ? `${explained} (${err.message})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function toastError(err: unknown): void {
  toast('error', errorText(err));
}
