/**
 * HTTP statuses of the device routes' errors, and an error handler scoped to those routes: it
 * answers the codes it knows ({ error: { code, message, hint?, problems? } }, problems naming the
 * parameters at fault) and hands every other error to the API's own handler.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import type { ErrorBody } from './schemas.js';

export const DEVICE_API_ERRORS: Readonly<Record<string, number>> = {
  FL_ERR_DEVICE_UNKNOWN: 404,
  FL_ERR_DEVICE_CREDENTIAL_UNKNOWN: 404,
  FL_ERR_DEVICE_WRITE_UNCONFIRMED: 400,
  FL_ERR_DEVICE_NO_WRITE_KEY: 409,
  FL_ERR_SECURITY_CREDENTIAL_EXISTS: 409,
  FL_ERR_SECURITY_WRITE_KEY_SEALED: 409,
  FL_ERR_RPC_OFFLINE: 503,
  FL_ERR_RPC_UNAVAILABLE: 503,
  FL_ERR_RPC_BUSY: 503,
  FL_ERR_RPC_TIMEOUT: 504,
  FL_ERR_RPC_UNKNOWN_PARAMETER: 422,
  FL_ERR_RPC_NOT_WRITABLE: 422,
  FL_ERR_RPC_BAD_VALUE: 422,
  /** The agent refused the signature: the collector's write key and the agent's differ. */
  FL_ERR_RPC_UNAUTHORIZED: 409,
  FL_ERR_RPC_DEVICE_NOT_ANSWERING: 502,
};

/** The status of a device-route error code; any other agent code (FL_ERR_RPC_…) is a 502. */
export function deviceErrorStatus(code: string): number | undefined {
  return DEVICE_API_ERRORS[code] ?? (code.startsWith('FL_ERR_RPC_') ? 502 : undefined);
}

export function deviceErrorBody(err: FaultlineError): ErrorBody {
  const problems = err.context.problems;
  return {
    error: {
      code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}),
      ...(Array.isArray(problems) && problems.length > 0 ? { problems: problems.map(String) } : {}),
    },
  };
}

/** For the plugin the device routes are registered in (encapsulated: other routes are not affected). */
export function installDeviceErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | FaultlineError, req, reply) => {
    const status = err instanceof FaultlineError ? deviceErrorStatus(err.code) : undefined;
    if (err instanceof FaultlineError && status !== undefined) {
      if (status >= 500) req.log.warn({ code: err.code, url: req.url, context: err.context }, 'device request failed');
      void reply.code(status).send(deviceErrorBody(err));
      return;
    }
    throw err; // the API's handler answers the rest
  });
}

export function deviceError(code: keyof typeof DEVICE_API_ERRORS & string, message: string, opts: { context?: Record<string, unknown>; hint?: string } = {}): FaultlineError {
  return new FaultlineError(code, message, opts);
}
