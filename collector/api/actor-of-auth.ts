/** The audit actor of an authenticated caller: the user by username, and the API token's name when they came with one. */
import type { Actor } from '../core/desk/audit-record.js';
import type { RequestAuth } from './request-auth.js';

export function actorOfAuth(auth: RequestAuth): Actor {
  return auth.via === 'token' ? { kind: 'user', id: auth.user.username, via: `token:${auth.tokenName}` } : { kind: 'user', id: auth.user.username };
}
