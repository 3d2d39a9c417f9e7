/**
 * Refusals of the auth layer and of user management, as the API's usual error body. Kept apart
 * from api-errors.ts: the hooks reply directly, and the auth/user routes map these codes in
 * their own (encapsulated) error handler.
 */
import type { FastifyReply } from 'fastify';
import { errorStatus, type ErrorCode } from '../../protocol/errors.js';
import type { Role } from '../core/access/roles.js';
import type { AuthErrorBody } from './auth-schemas.js';

/** The refusals the auth hooks answer themselves. */
export type AuthErrorCode = Extract<ErrorCode, 'FL_ERR_AUTH_REQUIRED' | 'FL_ERR_AUTH_FAILED' | 'FL_ERR_AUTH_THROTTLED' | 'FL_ERR_CSRF' | 'FL_ERR_FORBIDDEN'>;

export interface AuthErrorExtra {
  hint?: string;
  requiredRole?: Role;
  retryAfterS?: number;
}

export function authErrorBody(code: AuthErrorCode, message: string, extra: AuthErrorExtra = {}): AuthErrorBody {
  return { error: { code, message, ...extra } };
}

export function sendAuthError(reply: FastifyReply, code: AuthErrorCode, message: string, extra: AuthErrorExtra = {}): FastifyReply {
  if (extra.retryAfterS !== undefined) void reply.header('retry-after', String(extra.retryAfterS));
  if (errorStatus(code) === 401) void reply.header('www-authenticate', 'Bearer realm="faultline"');
  return reply.code(errorStatus(code)).header('cache-control', 'no-store').send(authErrorBody(code, message, extra));
}
