/**
 * GET /api/health: is the collector up, and what have ingest, security, device requests and the
 * live stream seen.
 *
 * Public, for monitoring probes, but a stranger learns only that it is alive: `{status, uptimeS,
 * detail: 'liveness'}`. The details name devices, topics and the user names of refused clients, so
 * they need a signed-in admin or an API token (tokens are what monitoring systems are given; a
 * viewer signed in through the dashboard does not need them). A wrong or stale credential is not
 * an error here: the probe still gets its 200.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IngestCountersSnapshot } from '../ingest/counters.js';
import type { WriteStateSnapshot } from '../ingest/write-state.js';
import type { StoreCounts } from '../store/port.js';
import type { RequestAuth } from './request-auth.js';
import { errorResponses, HealthJson } from './schemas.js';

export interface HealthSources {
  startedAtMs: number;
  now: () => number;
  broker: () => NonNullable<HealthJson['broker']>;
  ingest: () => IngestCountersSnapshot;
  store: () => Promise<StoreCounts>;
  desk?: () => Promise<NonNullable<HealthJson['desk']>>;
  security?: () => Promise<NonNullable<HealthJson['security']>>;
  deviceRequests?: () => NonNullable<HealthJson['deviceRequests']>;
  live?: () => HealthJson['live'];
  auditCheckpoints?: () => NonNullable<HealthJson['auditCheckpoints']>;
  /** Whether the store takes writes (read-only while the disk is full). */
  writes?: () => WriteStateSnapshot;
  /** Who is calling, if anyone (the route is public, so the auth hook does not look). Without it: liveness only. */
  caller?: (req: FastifyRequest) => Promise<RequestAuth | null>;
}

/** Whether a caller may read the details: an admin (session or token), or anyone with an API token. */
export function mayReadHealthDetails(auth: RequestAuth | null): boolean {
  return auth !== null && (auth.via === 'token' || auth.user.role === 'admin');
}

export async function healthRoute(app: FastifyInstance, opts: HealthSources): Promise<void> {
  app.get('/api/health', {
    schema: {
      summary: 'liveness for anyone; the details (broker, ingest, store, desk, security, device requests, live stream) for an admin or an API token',
      response: { 200: HealthJson, ...errorResponses },
    },
  }, async (req): Promise<HealthJson> => {
    const uptimeS = Math.max(0, (opts.now() - opts.startedAtMs) / 1000);
    const writes = opts.writes?.();
    const status = writes && !writes.writable ? 'read-only' : 'ok';
    if (!mayReadHealthDetails((await opts.caller?.(req)) ?? null)) return { status, uptimeS, detail: 'liveness' };
    return {
      status,
      uptimeS,
      detail: 'full',
      broker: opts.broker(),
      ingest: opts.ingest(),
      store: await opts.store(),
      ...(opts.desk ? { desk: await opts.desk() } : {}),
      ...(opts.security ? { security: await opts.security() } : {}),
      ...(opts.deviceRequests ? { deviceRequests: opts.deviceRequests() } : {}),
      ...live(opts.live?.()),
      ...(opts.auditCheckpoints ? { auditCheckpoints: opts.auditCheckpoints() } : {}),
      ...(writes ? { writes } : {}),
    };
  });
}

function live(figures: HealthJson['live']): Pick<HealthJson, 'live'> {
  return figures ? { live: figures } : {};
}
