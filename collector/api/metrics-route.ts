/**
 * GET /metrics: the collector's figures for Prometheus (prom-client, text exposition format).
 * Protected like health's details: an API token of any role (what a scraper is given:
 * `bearer_token` in its scrape config) or an admin's session; anyone else 401/403.
 * Every figure is read at scrape time from the same sources as /api/health and the store; none
 * is kept twice.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import type { IngestObserver } from '../ingest/pipeline.js';
import type { StoreMetrics } from '../store/port.js';
import { sendAuthError } from './auth-errors.js';
import type { AuthCounters } from './auth-hooks.js';
import type { HealthSources } from './health-route.js';
import { mayReadHealthDetails } from './health-route.js';

export interface MetricsSources {
  health: Pick<HealthSources, 'broker' | 'ingest' | 'security' | 'deviceRequests' | 'auditCheckpoints'>;
  store: () => Promise<StoreMetrics>;
  auth: () => AuthCounters;
  /** Subscribes to ingest's batches and stored messages (the pipeline's `observe`); returns the unsubscribe. */
  observeIngest?: (observer: IngestObserver) => () => void;
}

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Histograms fed by ingest as it commits; returns the unsubscribe. */
function ingestHistograms(r: Registry, observe: (observer: IngestObserver) => () => void): () => void {
  const batchSize = new Histogram({ name: 'faultline_ingest_batch_size', help: 'messages per ingest transaction', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [r] });
  const commitSeconds = new Histogram({ name: 'faultline_ingest_commit_seconds', help: 'time one ingest transaction took', buckets: SECONDS_BUCKETS, registers: [r] });
  const latency = new Histogram({ name: 'faultline_ingest_latency_seconds', help: 'from a message\'s arrival to its commit (what its PUBACK waits for)', buckets: SECONDS_BUCKETS, registers: [r] });
  return observe({
    batch: (size, seconds) => { batchSize.observe(size); commitSeconds.observe(seconds); },
    stored: (seconds) => latency.observe(seconds),
  });
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

/** The registry, and `refresh`: reads what comes from the store and the broker's security (asynchronously) before each scrape. */
export function metricsRegistry(s: MetricsSources): { registry: Registry; stop: () => void; refresh: () => Promise<void> } {
  const r = new Registry();
  let store: StoreMetrics = { openTicketsByPriority: [], openAlarms: [], timersPending: [], webhookBacklog: 0, databaseBytes: 0 };
  let security: Awaited<ReturnType<NonNullable<MetricsSources['health']['security']>>> | undefined;
  const refresh = async (): Promise<void> => {
    store = await s.store();
    security = s.health.security ? await s.health.security() : undefined;
  };
  const stop = s.observeIngest ? ingestHistograms(r, s.observeIngest) : () => undefined;
  readAtScrape(r, 'faultline_ingest_messages_total', 'MQTT messages received by kind since start', ['kind'],
    () => Object.entries(s.health.ingest().received).map(([kind, n]) => [{ kind }, n]));
  readAtScrape(r, 'faultline_ingest_events_committed_total', 'fault events committed to the store since start', [], () => [[{}, s.health.ingest().eventsCommitted]]);
  readAtScrape(r, 'faultline_ingest_duplicates_total', 'redelivered events ignored (same id) since start', [], () => [[{}, s.health.ingest().duplicates]]);
  readAtScrape(r, 'faultline_ingest_refused_total', 'messages refused by ingest since start, by reason', ['reason'], () => {
    const i = s.health.ingest();
    return [[{ reason: 'bad_payload' }, i.badPayload], [{ reason: 'wrong_topic' }, i.wrongTopic], [{ reason: 'store_error' }, i.storeErrors]];
  });
  readAtScrape(r, 'faultline_receipts_total', 'receipts published to devices after commit since start, by outcome', ['outcome'], () => {
    const rc = s.health.ingest().receipts;
    return rc ? [[{ outcome: 'sent' }, rc.sent], [{ outcome: 'failed' }, rc.failed]] : [];
  });
  readAtScrape(r, 'faultline_receipt_events_total', 'fault events named in receipts since start: stored, or refused as bad input', ['result'], () => {
    const rc = s.health.ingest().receipts;
    return rc ? [[{ result: 'stored' }, rc.events], [{ result: 'refused' }, rc.refused]] : [];
  });
  readAtScrape(r, 'faultline_mqtt_connected_clients', 'MQTT clients connected now (the collector\'s own not counted)', [], () => [[{}, s.health.broker().clients]]);
  readAtScrape(r, 'faultline_mqtt_refused_total', 'MQTT connections, publishes and subscriptions refused since start, by reason', ['reason'],
    () => Object.entries(security?.refused ?? {}).map(([reason, n]) => [{ reason }, Number(n)]));
  readAtScrape(r, 'faultline_api_refused_total', 'HTTP requests refused since start, by reason', ['reason'], () => {
    const a = s.auth();
    return [[{ reason: 'unauthenticated' }, a.unauthenticated], [{ reason: 'forbidden' }, a.forbidden], [{ reason: 'csrf' }, a.csrf], [{ reason: 'login_throttled' }, a.login.throttled], [{ reason: 'login_failed' }, a.login.failures]];
  });
  readAtScrape(r, 'faultline_device_requests_total', 'engineers\' requests to devices over MQTT RPC since start, by outcome', ['outcome'],
    () => Object.entries(s.health.deviceRequests?.() ?? {}).filter(([k]) => k !== 'pending').map(([outcome, n]) => [{ outcome }, n]));
  readAtScrape(r, 'faultline_audit_checkpoints_total', 'signed audit checkpoints since start: written to the checkpoint file, or failed', ['result'], () => {
    const c = s.health.auditCheckpoints?.();
    return c ? [[{ result: 'written' }, c.written], [{ result: 'failed' }, c.failed]] : [];
  });
  readAtScrape(r, 'faultline_audit_checkpoint_sends_total', 'audit checkpoints sent to each sink (syslog, webhook) since start, by result', ['sink', 'result'],
    () => Object.entries(s.health.auditCheckpoints?.().sinks ?? {}).flatMap(([sink, n]): Array<[Record<string, string>, number]> => [[{ sink, result: 'sent' }, n.sent], [{ sink, result: 'failed' }, n.failed]]));
  readAtScrape(r, 'faultline_open_tickets', 'tickets not resolved or closed, by priority', ['priority'],
    () => store.openTicketsByPriority.map((x) => [{ priority: x.priority }, x.n]));
  readAtScrape(r, 'faultline_open_alarms', 'alarms not in the normal state, by state and severity', ['state', 'severity'],
    () => store.openAlarms.map((x) => [{ state: x.state, severity: x.severity }, x.n]));
  readAtScrape(r, 'faultline_timers_pending', 'desk timers pending (SLA warnings, escalations, close holds …), by kind', ['kind'],
    () => store.timersPending.map((x) => [{ kind: x.kind }, x.n]));
  readAtScrape(r, 'faultline_webhook_backlog', 'webhook deliveries waiting to be sent or retried', [], () => [[{}, store.webhookBacklog]]);
  readAtScrape(r, 'faultline_database_bytes', 'the SQLite database and its write-ahead log, in bytes', [], () => [[{}, store.databaseBytes]]);
  return { registry: r, stop, refresh };
}

export async function metricsRoute(app: FastifyInstance, opts: { sources: MetricsSources; caller: (req: FastifyRequest) => Promise<Parameters<typeof mayReadHealthDetails>[0]> }): Promise<void> {
  const { registry, stop, refresh } = metricsRegistry(opts.sources);
  app.addHook('onClose', async () => stop());
  app.get('/metrics', async (req, reply) => {
    if (!mayReadHealthDetails(await opts.caller(req))) {
      return sendAuthError(reply, 'FL_ERR_FORBIDDEN', 'GET /metrics needs an API token or an admin\'s session', { hint: 'give the scraper an API token: faultline user token add USERNAME --name prometheus' });
    }
    await refresh();
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
