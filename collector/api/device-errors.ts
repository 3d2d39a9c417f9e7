/** Errors of the device routes: typed faultline errors whose statuses are in the catalogue (protocol/error-catalogue.ts). */
import { FaultlineError, type ErrorCode } from '../../protocol/errors.js';

export function deviceError(code: ErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string } = {}): FaultlineError {
  return new FaultlineError(code, message, opts);
}
