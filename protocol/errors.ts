import type { ErrorCode } from './error-catalogue.js';

export { ERROR_CATALOGUE, errorStatus, isErrorCode, type ErrorCode } from './error-catalogue.js';

/**
 * The error type every faultline module throws. `code` is stable (FL_ERR_<AREA>_<WHAT>, from the
 * one catalogue in error-catalogue.ts) so callers, logs and the API can branch on it; `context`
 * says where, `hint` says how to fix.
 */
export class FaultlineError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FaultlineError';
    this.code = code;
    this.context = opts.context ?? {};
    this.hint = opts.hint;
  }

  /** One line for a person: what went wrong, and how to fix it when we know. */
  describe(): string {
    return this.hint ? `${this.message} (${this.code}). Fix: ${this.hint}` : `${this.message} (${this.code})`;
  }
}

export function errorCode(err: unknown): ErrorCode {
  return err instanceof FaultlineError ? err.code : 'FL_ERR_INTERNAL';
}

export function errorMessage(err: unknown): string {
  if (err instanceof FaultlineError) return err.describe();
  return err instanceof Error ? err.message : String(err);
}

/** A mistake in a command line: the command prints it with its usage text and exits 2. */
export class UsageError extends FaultlineError {
  constructor(message: string) {
    super('FL_ERR_USAGE', message);
    this.name = 'UsageError';
  }
}
