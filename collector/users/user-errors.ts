/** Typed errors of the user directory, with their HTTP status (collector/api maps them). */
import { FaultlineError } from '../../protocol/errors.js';

export const USER_ERRORS = {
  FL_ERR_USER_INVALID: 400,
  FL_ERR_USER_NOT_FOUND: 404,
  FL_ERR_USER_EXISTS: 409,
  FL_ERR_USER_LAST_ADMIN: 409,
  FL_ERR_TOKEN_NOT_FOUND: 404,
} as const;
export type UserErrorCode = keyof typeof USER_ERRORS;

export function userError(code: UserErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string } = {}): FaultlineError {
  return new FaultlineError(code, message, opts);
}

export function isUserErrorCode(code: string): code is UserErrorCode {
  return Object.hasOwn(USER_ERRORS, code);
}
