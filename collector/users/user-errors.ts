/** Typed errors of user management (statuses in protocol/error-catalogue.ts). */
import { FaultlineError, type ErrorCode } from '../../protocol/errors.js';

export type UserErrorCode = Extract<ErrorCode, `FL_ERR_USER_${string}` | 'FL_ERR_TOKEN_NOT_FOUND'>;

export function userError(code: UserErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string } = {}): FaultlineError {
  return new FaultlineError(code, message, opts);
}
