/**
 * The HTTP API as a fastify instance that does not listen: the composition root listens, tests
 * call `app.inject`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../bin/log.js';
import type { Queries } from '../store/queries.js';
import { installErrorHandlers } from './api-errors.js';
import { deviceRoutes } from './device-routes.js';
import { healthRoute, type HealthSources } from './health-route.js';
import { ticketRoutes } from './ticket-routes.js';

export interface ApiOptions {
  store: Queries;
  log: Logger;
  now: () => number;
  health: Omit<HealthSources, 'now' | 'store'>;
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = opts.log;
  const app = Fastify({
    loggerInstance,
    // Dashboards poll; per-request info lines would drown the log. Failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Reject unknown query fields instead of silently dropping them: a typo must not widen a filter.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorHandlers(app);
  await app.register(healthRoute, { ...opts.health, now: opts.now, store: () => opts.store.counts() });
  await app.register(ticketRoutes, { store: opts.store, now: opts.now });
  await app.register(deviceRoutes, { store: opts.store });
  await app.ready();
  return app;
}
