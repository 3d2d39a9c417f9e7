/** Users and API tokens as JSON (never a hash, never a token). */

import type { TokenInfo, UserRecord } from '../store/port.js';
import type { TokenJson, UserJson } from './auth-schemas.js';

export function userJson(u: UserRecord): UserJson {
  return {
    username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabledMs !== null,
    createdAtMs: u.createdMs, passwordChangedAtMs: u.passwordChangedMs, lastLoginAtMs: u.lastLoginMs,
  };
}

export function tokenJson(t: TokenInfo): TokenJson {
  return { id: t.id, name: t.name, createdAtMs: t.createdMs, lastUsedAtMs: t.lastUsedMs };
}
