/**
 * Refusals of the auth layer and of user management, as the API's usual error body. Kept apart
 * from api-errors.ts: the hooks reply directly, and the auth/user routes map these codes in
 * their own (encapsulated) error handler.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import type { Role } from '../core/roles.js';
import { isUserErrorCode, USER_ERRORS } from '../users/user-errors.js';
import type { AuthErrorBody } from './auth-schemas.js';

export const AUTH_ERRORS = {
  FL_ERR_AUTH_REQUIRED: 401,
  FL_ERR_AUTH_FAILED: 401,
  FL_ERR_AUTH_THROTTLED: 429,
  FL_ERR_CSRF: 403,
  FL_ERR_FORBIDDEN: 403,
} as const;
export type AuthErrorCode = keyof typeof AUTH_ERRORS;

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
  if (AUTH_ERRORS[code] === 401) void reply.header('www-authenticate', 'Bearer realm="faultline"');
  return reply.code(AUTH_ERRORS[code]).header('cache-control', 'no-store').send(authErrorBody(code, message, extra));
}

/** In the auth and user route plugins: user-directory errors get their status; everything else goes to the app's handler. */
export function installUserErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | FaultlineError, _req, reply) => {
    if (err instanceof FaultlineError && isUserErrorCode(err.code)) {
      void reply.code(USER_ERRORS[err.code]).send({ error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
      return;
    }
    throw err;
  });
}
