/** GET /api/health: is the collector up, and what have ingest, security, device requests and the live stream seen. */
import type { StoreCounts } from '../store/port.js';
import type { FastifyInstance } from 'fastify';
import type { IngestCountersSnapshot } from '../ingest/counters.js';

import { errorResponses, HealthJson } from './schemas.js';

export interface HealthSources {
  startedAtMs: number;
  now: () => number;
  broker: () => { port: number; clients: number };
  ingest: () => IngestCountersSnapshot;
  store: () => Promise<StoreCounts>;
  desk?: () => Promise<NonNullable<HealthJson['desk']>>;
  security?: () => Promise<NonNullable<HealthJson['security']>>;
  deviceRequests?: () => NonNullable<HealthJson['deviceRequests']>;
  live?: () => HealthJson['live'];
}

export async function healthRoute(app: FastifyInstance, opts: HealthSources): Promise<void> {
  app.get('/api/health', {
    schema: { response: { 200: HealthJson, ...errorResponses } },
  }, async (): Promise<HealthJson> => ({
    status: 'ok',
    uptimeS: Math.max(0, (opts.now() - opts.startedAtMs) / 1000),
    broker: opts.broker(),
    ingest: opts.ingest(),
    store: await opts.store(),
    ...(opts.desk ? { desk: await opts.desk() } : {}),
    ...(opts.security ? { security: await opts.security() } : {}),
    ...(opts.deviceRequests ? { deviceRequests: opts.deviceRequests() } : {}),
    ...live(opts.live?.()),
  }));
}

function live(figures: HealthJson['live']): Pick<HealthJson, 'live'> {
  return figures ? { live: figures } : {};
}
