/**
 * GET /metrics: the collector's figures for Prometheus (prom-client, text exposition format).
 * Protected like health's details: an API token of any role (what a scraper is given:
 * `bearer_token` in its scrape config) or an admin's session; anyone else 401/403.
 * Every figure is read at scrape time from the same sources as /api/health and the store; none
 * is kept twice.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { StoreMetrics } from '../store/metrics-queries.js';
import { sendAuthError } from './auth-errors.js';
import type { AuthCounters } from './auth-hooks.js';
import type { HealthSources } from './health-route.js';
import { mayReadHealthDetails } from './health-route.js';

export interface MetricsSources {
  health: Pick<HealthSources, 'broker' | 'ingest' | 'security' | 'deviceRequests'>;
  store: () => StoreMetrics;
  auth: () => AuthCounters;
}

/** A gauge whose samples are read when scraped (counters that only grow are exposed as `_total`). */
function readAtScrape(registry: Registry, name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>): void {
  const gauge: Gauge = new Gauge({
    name, help, labelNames, registers: [registry],
    collect() {
      gauge.reset();
      for (const [labels, value] of read()) gauge.set(labels, value);
    },
  });
}

export function metricsRegistry(s: MetricsSources): Registry {
  const r = new Registry();
  readAtScrape(r, 'faultline_ingest_messages_total', 'MQTT messages received by kind since start', ['kind'],
    () => Object.entries(s.health.ingest().received).map(([kind, n]) => [{ kind }, n]));
  readAtScrape(r, 'faultline_ingest_events_committed_total', 'fault events committed to the store since start', [], () => [[{}, s.health.ingest().eventsCommitted]]);
  readAtScrape(r, 'faultline_ingest_duplicates_total', 'redelivered events ignored (same id) since start', [], () => [[{}, s.health.ingest().duplicates]]);
  readAtScrape(r, 'faultline_ingest_refused_total', 'messages refused by ingest since start, by reason', ['reason'], () => {
    const i = s.health.ingest();
    return [[{ reason: 'bad_payload' }, i.badPayload], [{ reason: 'wrong_topic' }, i.wrongTopic], [{ reason: 'store_error' }, i.storeErrors]];
  });
  readAtScrape(r, 'faultline_mqtt_connected_clients', 'MQTT clients connected now (the collector\'s own not counted)', [], () => [[{}, s.health.broker().clients]]);
  readAtScrape(r, 'faultline_mqtt_refused_total', 'MQTT connections, publishes and subscriptions refused since start, by reason', ['reason'],
    () => Object.entries(s.health.security?.().refused ?? {}).map(([reason, n]) => [{ reason }, Number(n)]));
  readAtScrape(r, 'faultline_api_refused_total', 'HTTP requests refused since start, by reason', ['reason'], () => {
    const a = s.auth();
    return [[{ reason: 'unauthenticated' }, a.unauthenticated], [{ reason: 'forbidden' }, a.forbidden], [{ reason: 'csrf' }, a.csrf], [{ reason: 'login_throttled' }, a.login.throttled], [{ reason: 'login_failed' }, a.login.failures]];
  });
  readAtScrape(r, 'faultline_device_requests_total', 'engineers\' requests to devices over MQTT RPC since start, by outcome', ['outcome'],
    () => Object.entries(s.health.deviceRequests?.() ?? {}).filter(([k]) => k !== 'pending').map(([outcome, n]) => [{ outcome }, n]));
  readAtScrape(r, 'faultline_open_tickets', 'tickets not resolved or closed, by priority', ['priority'],
    () => s.store().openTicketsByPriority.map((x) => [{ priority: x.priority }, x.n]));
  readAtScrape(r, 'faultline_open_alarms', 'alarms not in the normal state, by state and severity', ['state', 'severity'],
    () => s.store().openAlarms.map((x) => [{ state: x.state, severity: x.severity }, x.n]));
  readAtScrape(r, 'faultline_timers_pending', 'desk timers pending (SLA warnings, escalations, close holds …), by kind', ['kind'],
    () => s.store().timersPending.map((x) => [{ kind: x.kind }, x.n]));
  readAtScrape(r, 'faultline_webhook_backlog', 'webhook deliveries waiting to be sent or retried', [], () => [[{}, s.store().webhookBacklog]]);
  readAtScrape(r, 'faultline_database_bytes', 'the SQLite database and its write-ahead log, in bytes', [], () => [[{}, s.store().databaseBytes]]);
  return r;
}

export async function metricsRoute(app: FastifyInstance, opts: { sources: MetricsSources; caller: (req: FastifyRequest) => Parameters<typeof mayReadHealthDetails>[0] }): Promise<void> {
  const registry = metricsRegistry(opts.sources);
  app.get('/metrics', async (req, reply) => {
    if (!mayReadHealthDetails(opts.caller(req))) {
      return sendAuthError(reply, 'FL_ERR_FORBIDDEN', 'GET /metrics needs an API token or an admin\'s session', { hint: 'give the scraper an API token: faultline user token add USERNAME --name prometheus' });
    }
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
