/**
 * The one place the API turns a failure into `{ error: { code, message, hint?, problems? } }`: a
 * FaultlineError gets the status its code has in the catalogue (protocol/error-catalogue.ts); a
 * schema violation is a 400; anything else, or a code that means a fault of the collector itself
 * (status 500), is logged and answered as FL_ERR_INTERNAL without its details.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { clipText } from '../../protocol/clip-text.js';
import { errorStatus, FaultlineError, type ErrorCode } from '../../protocol/errors.js';
import { isDiskFull } from '../store/disk-full.js';
import type { ErrorBody } from './schemas.js';

export function apiError(code: ErrorCode, message: string, context: Record<string, unknown> = {}): FaultlineError {
  return new FaultlineError(code, message, { context });
}

export function errorBody(code: ErrorCode, message: string, extra: { hint?: string | undefined; problems?: unknown } = {}): ErrorBody {
  return {
    error: {
      code, message, ...(extra.hint ? { hint: extra.hint } : {}),
      ...(Array.isArray(extra.problems) && extra.problems.length > 0 ? { problems: extra.problems.map(String) } : {}),
    },
  };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('FL_ERR_API_NOT_FOUND', `no route ${req.method} ${clipText(req.url.split('?')[0] ?? '')}`));
  });

  app.setErrorHandler((err: FastifyError | FaultlineError, req, reply) => {
    if (err instanceof FaultlineError && errorStatus(err.code) !== 500) {
      const status = errorStatus(err.code);
      if (status >= 500) req.log.warn({ code: err.code, url: req.url, context: err.context }, 'request failed');
      void reply.code(status).send(errorBody(err.code, err.message, { hint: err.hint, problems: err.context.problems }));
      return;
    }
    if ('validation' in err && err.validation) {
      void reply.code(400).send(errorBody('FL_ERR_API_BAD_REQUEST', `bad request: ${err.message}`));
      return;
    }
    const status = !(err instanceof FaultlineError) && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      void reply.code(status).send(errorBody('FL_ERR_API_BAD_REQUEST', err.message));
      return;
    }
    if (isDiskFull(err)) {
      void reply.code(503).send(errorBody('FL_ERR_STORE_FULL', 'the disk under the database is full: the collector is read-only until space returns',
        { hint: 'reads still answer; free space on the data directory\'s disk and try again' }));
      return;
    }
    req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    void reply.code(500).send(errorBody('FL_ERR_INTERNAL', 'internal error; see the collector log'));
  });
}
