/** GET /api/health: is the collector up, and what has ingest seen. */
import type { FastifyInstance } from 'fastify';
import type { IngestCountersSnapshot } from '../ingest/counters.js';
import type { StoreCounts } from '../store/queries.js';
import { errorResponses, HealthJson } from './schemas.js';

export interface HealthSources {
  startedAtMs: number;
  now: () => number;
  broker: () => { port: number; clients: number };
  ingest: () => IngestCountersSnapshot;
  store: () => StoreCounts;
  desk?: () => NonNullable<HealthJson['desk']>;
  security?: () => NonNullable<HealthJson['security']>;
}

export async function healthRoute(app: FastifyInstance, opts: HealthSources): Promise<void> {
  app.get('/api/health', {
    schema: { response: { 200: HealthJson, ...errorResponses } },
  }, async (): Promise<HealthJson> => ({
    status: 'ok',
    uptimeS: Math.max(0, (opts.now() - opts.startedAtMs) / 1000),
    broker: opts.broker(),
    ingest: opts.ingest(),
    store: opts.store(),
    ...(opts.desk ? { desk: opts.desk() } : {}),
    ...(opts.security ? { security: opts.security() } : {}),
  }));
}
