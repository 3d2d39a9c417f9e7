/**
 * The HTTP API as a fastify instance that does not listen: the composition root listens, tests
 * call `app.inject`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../bin/log.js';
import { DEFAULT_CALENDARS } from '../core/desk-context.js';
import type { DeskService } from '../desk/desk-service.js';
import type { Queries } from '../store/queries.js';
import { adminRoutes } from './admin-routes.js';
import { alarmRoutes } from './alarm-routes.js';
import { installErrorHandlers } from './api-errors.js';
import { auditRoutes } from './audit-routes.js';
import { deviceRoutes } from './device-routes.js';
import { healthRoute, type HealthSources } from './health-route.js';
import { docsRoute, OpenApiDocument } from './openapi.js';
import { ticketActionRoutes } from './ticket-action-routes.js';
import { ticketRoutes } from './ticket-routes.js';
import { streamRoute } from './stream-route.js';
import { knowledgeRoutes } from '../knowledge/kb-routes.js';
import type { KnowledgeService } from '../knowledge/knowledge-service.js';
import type { ReportLoader } from '../reports/report-loader.js';
import { reportRoutes } from '../reports/report-routes.js';

export const API_VERSION = '0.2.0';

export interface ApiOptions {
  store: Queries;
  /** The service desk; without it only the read routes (health, tickets, devices, docs) exist. */
  desk?: DeskService;
  log: Logger;
  now: () => number;
  health: Omit<HealthSources, 'now' | 'store'>;
  knowledge?: KnowledgeService;
  reports?: ReportLoader;
  operatorsBySite?: Readonly<Record<string, number>>;
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
  const docs = new OpenApiDocument();
  app.addHook('onRoute', docs.onRoute);
  const { desk, now } = opts;
  await app.register(healthRoute, {
    ...opts.health, now, store: () => opts.store.counts(),
    ...(desk ? { desk: () => ({ ...desk.stats(), nextTimerMs: desk.scheduler.nextDueMs() }) } : {}),
  });
  await app.register(ticketRoutes, { store: opts.store, now, calendars: () => desk?.settings().calendars ?? DEFAULT_CALENDARS });
  await app.register(deviceRoutes, { store: opts.store });
  if (desk) {
    await app.register(ticketActionRoutes, { desk, now });
    await app.register(alarmRoutes, { desk });
    await app.register(auditRoutes, { repo: desk.repo });
    await app.register(adminRoutes, { desk });
    await app.register(streamRoute, { desk, now });
  }
  if (opts.knowledge) await app.register(knowledgeRoutes, { knowledge: opts.knowledge, now });
  if (opts.reports) await app.register(reportRoutes, { reports: opts.reports, now, ...(opts.operatorsBySite ? { operatorsBySite: opts.operatorsBySite } : {}) });
  await app.register(docsRoute, { docs, version: API_VERSION });
  await app.ready();
  return app;
}
