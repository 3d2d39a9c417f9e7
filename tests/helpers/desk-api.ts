/** The collector's HTTP API over a desk harness, as the API tests build it (closed when the test ends). */
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { buildApi, type ApiOptions } from '../../collector/api/app.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { T0, type DeskHarness } from './desk-harness.js';

export async function deskApi(t: Test, h: DeskHarness, extra: Partial<ApiOptions> = {}): Promise<FastifyInstance> {
  const counters = new IngestCounters();
  const app = await buildApi({
    store: h.store, desk: h.desk, log: silentLogger(), now: () => h.clock.now,
    health: { startedAtMs: T0, broker: () => ({ port: 1883, clients: 0 }), ingest: () => counters.snapshot() },
    ...extra,
  });
  t.teardown(() => app.close());
  return app;
}
