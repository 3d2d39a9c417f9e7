/** The API's error catalogue and the fastify handlers that turn every failure into { error: { code, message } }. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { clipText } from '../../protocol/clip-text.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { ErrorBody } from './schemas.js';

export const API_ERRORS = {
  FL_ERR_API_BAD_REQUEST: 400,
  FL_ERR_API_NOT_FOUND: 404,
  FL_ERR_API_BUSY: 503,
  FL_ERR_INTERNAL: 500,
  // The service desk's rules (collector/core/desk-errors.ts and the desk edge).
  FL_ERR_ALARM_INVALID_TRANSITION: 409,
  FL_ERR_ALARM_SHELVE_DURATION: 400,
  FL_ERR_ALARM_REASON_REQUIRED: 400,
  FL_ERR_TICKET_INVALID_TRANSITION: 409,
  FL_ERR_TICKET_RESOLUTION_REQUIRED: 400,
  FL_ERR_TICKET_FAULT_ACTIVE: 409,
  FL_ERR_TICKET_FIELD_REQUIRED: 400,
  FL_ERR_TICKET_RATING_INVALID: 400,
  FL_ERR_PRIORITY_OVERRIDE_INVALID: 400,
  FL_ERR_ESCALATION_TOP_TIER: 409,
  FL_ERR_ESCALATION_UNKNOWN_TEAM: 409,
  FL_ERR_DESK_UNKNOWN_TEAM: 400,
  FL_ERR_DESK_UNKNOWN_MEMBER: 400,
  // Config reload.
  FL_ERR_CONFIG_INVALID: 400,
  FL_ERR_CONFIG_YAML: 400,
  FL_ERR_CONFIG_READ: 400,
  FL_ERR_CONFIG_NO_FILE: 409,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

export function apiError(code: ApiErrorCode, message: string, context: Record<string, unknown> = {}): FaultlineError {
  return new FaultlineError(code, message, { context });
}

function isApiCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}

const body = (code: string, message: string, extra: { hint?: string | undefined; problems?: unknown } = {}): ErrorBody => ({
  error: {
    code, message, ...(extra.hint ? { hint: extra.hint } : {}),
    ...(Array.isArray(extra.problems) ? { problems: extra.problems.map(String) } : {}),
  },
});

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(body('FL_ERR_API_NOT_FOUND', `no route ${req.method} ${clipText(req.url.split('?')[0] ?? '')}`));
  });

  app.setErrorHandler((err: FastifyError | FaultlineError, req, reply) => {
    if (err instanceof FaultlineError && isApiCode(err.code)) {
      void reply.code(API_ERRORS[err.code]).send(body(err.code, err.message, { hint: err.hint, problems: err.context.problems }));
      return;
    }
    if ('validation' in err && err.validation) {
      void reply.code(400).send(body('FL_ERR_API_BAD_REQUEST', `bad request: ${err.message}`));
      return;
    }
    const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      void reply.code(status).send(body('FL_ERR_API_BAD_REQUEST', err.message));
      return;
    }
    req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    void reply.code(500).send(body('FL_ERR_INTERNAL', 'internal error; see the collector log'));
  });
}
