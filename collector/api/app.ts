/**
 * The HTTP API as a fastify instance that does not listen: the composition root listens, tests
 * call `app.inject`.
 */
import { pagingPrefsRoutes } from './paging-prefs-routes.js';
import { onCallRoutes } from './on-call-routes.js';
import { pageAckRoutes, type PageAckCounters } from './page-ack-routes.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../protocol/logger.js';
import { DEFAULT_CALENDARS } from '../core/desk/desk-context.js';
import type { DeskService } from '../desk/desk-service.js';
import type { StorePort } from '../store/port.js';
import { adminRoutes } from './admin-routes.js';
import { alarmRoutes } from './alarm-routes.js';
import { alarmHistoryRoutes } from './alarm-history-routes.js';
import { alarmTicketRoutes } from './alarm-ticket-routes.js';
import { installErrorHandlers } from './api-errors.js';
import type { LoginThrottlePolicy } from '../core/access/login-throttle.js';
import { SharedLoginThrottle } from '../users/shared-login-throttle.js';
import { authenticate, installAuth } from './auth-hooks.js';
import { authRoutes } from './auth-routes.js';
import { userRoutes } from './user-routes.js';
import type { RoutePolicy } from './route-roles.js';
import { auditRoutes } from './audit-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { deviceRoutes, type WriteKeys } from './device-routes.js';
import { adminDeviceRoutes } from './admin-device-routes.js';
import type { DeviceRpc } from '../rpc/device-rpc.js';
import type { DeviceProvisioning } from '../security/device-provisioning.js';
import { healthRoute, type HealthSources } from './health-route.js';
import { metricsRoute } from './metrics-route.js';
import type { IngestObserver } from '../ingest/pipeline.js';
import { docsRoute, OpenApiDocument } from './openapi.js';
import { ticketActionRoutes } from './ticket-action-routes.js';
import { ticketBulkRoutes } from './ticket-bulk-routes.js';
import { ticketViewRoutes } from './ticket-view-routes.js';
import { ticketRoutes } from './ticket-routes.js';
import { streamRoute } from './stream-route.js';
import { plantRoutes } from './plant-routes.js';
import { eventRoutes } from './event-routes.js';
import type { LiveHub } from '../live/live-hub.js';
import type { ChangeFeed } from '../live/change-feed.js';
import { ticketChangesRoute } from './ticket-changes-route.js';
import { knowledgeRoutes } from './kb-routes.js';
import { faultTextRoutes } from './fault-text-routes.js';
import { ADAPTERS } from '../../firmware-adapters/index.js';
import type { KnowledgeService } from '../knowledge/knowledge-service.js';
import { reportRoutes } from './report-routes.js';
import { webRoutes, type WebRoutesOptions } from './web-routes.js';
import { mqttHttpAuthRoutes, type MqttHttpAuthOptions } from '../security/http-auth-routes.js';
import { MQTT_HTTP_AUTH_PREFIX } from './route-roles.js';

export const API_VERSION = '0.2.0';

/** Routes whose successful unsafe requests can end sessions or revoke tokens (live streams then recheck). */
const AUTH_CHANGES = /^\/api\/(auth\/(logout|tokens)|users)(\/|$)/;

export interface ApiOptions {
  /** The store: tickets, alarms, devices, users, sessions, tokens, reports (collector/store/port.ts). */
  store: StorePort;
  /** The service desk; without it only the read routes (health, tickets, devices, docs) exist. */
  desk?: DeskService;
  log: Logger;
  now: () => number;
  health: Omit<HealthSources, 'now' | 'store'>;
  knowledge?: KnowledgeService;
  operatorsBySite?: Readonly<Record<string, number>>;
  /** Tuning for tests: a tighter login throttle, another policy table. */
  auth?: { throttle?: LoginThrottlePolicy; routeRoles?: Readonly<Record<string, RoutePolicy>> };
  /** Reverse proxies whose X-Forwarded-For names the client (req.ip); none by default. */
  trustProxy?: readonly string[];
  /** The dashboard at / (dist/web by default); false leaves it out. */
  web?: WebRoutesOptions | false;
  /** Ingest's batches and stored messages, for the histograms of GET /metrics. */
  observeIngest?: (observer: IngestObserver) => () => void;
  /** Engineers' device requests (live, describe, logs, write; need desk) and device credentials (/api/admin/devices). */
  devices?: { rpc?: DeviceRpc; provisioning?: DeviceProvisioning };
  /**
   * Answer an EMQX-style broker's HTTP authentication and authorization at
   * POST /api/mqtt/auth and /api/mqtt/acl (security/http-auth-routes.ts), for callers sending
   * `Authorization: Bearer <secret>`; off without it.
   */
  mqttHttpAuth?: Pick<MqttHttpAuthOptions, 'secret' | 'onDecision'>;
  /** E-mail pages' acknowledge links at /ack/:token (needs desk): the key they are signed with. */
  pageAck?: { linkSecret: string; counters?: PageAckCounters };
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = opts.log;
  const app = Fastify({
    loggerInstance,
    ...(opts.trustProxy && opts.trustProxy.length > 0 ? { trustProxy: [...opts.trustProxy] } : {}),
    // Dashboards poll; per-request info lines would drown the log. Failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Reject unknown query fields instead of silently dropping them: a typo must not widen a filter.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorHandlers(app);
  const docs = new OpenApiDocument();
  app.addHook('onRoute', docs.onRoute);
  const { desk, now } = opts;
  // Before any route: every route must have a role policy, and every request is authenticated against it.
  const auth = {
    directory: opts.store, throttle: new SharedLoginThrottle(opts.store.loginFailures, opts.auth?.throttle), now,
    ...(opts.auth?.routeRoles ? { routeRoles: opts.auth.routeRoles } : {}),
  };
  installAuth(app, auth);
  // Logout, token revocation, password change, disabling or removing a user: open live streams recheck at once.
  let liveHub: LiveHub | undefined;
  let changeFeed: ChangeFeed | undefined;
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && reply.statusCode < 400 && AUTH_CHANGES.test(req.routeOptions.url ?? '')) liveHub?.requestRecheck();
  });
  await app.register(authRoutes, { ...auth, audit: opts.store.audit });
  await app.register(userRoutes, { ...auth, audit: opts.store.audit });
  await app.register(healthRoute, {
    ...opts.health, now, store: () => opts.store.queries.counts(), caller: async (req) => (await authenticate(req, auth)).auth,
    live: () => (liveHub ? { ...liveHub.snapshot(), feedWaiting: changeFeed?.waiting ?? 0 } : undefined),
    ...(desk ? { desk: async () => ({ ...desk.stats(), nextTimerMs: await desk.scheduler.nextDueMs() }) } : {}),
  });
  await app.register(ticketRoutes, { store: opts.store.queries, now, calendars: () => desk?.settings().calendars ?? DEFAULT_CALENDARS });
  await app.register(ticketViewRoutes, { views: opts.store.ticketViews, now });
  const writeKeys: WriteKeys | undefined = opts.devices?.provisioning ? opts.store.deviceKeys : undefined;
  await app.register(deviceRoutes, {
    store: opts.store.queries, now, ...(desk ? { desk } : {}), ...(opts.devices?.rpc ? { rpc: opts.devices.rpc } : {}), ...(writeKeys ? { writeKeys } : {}),
  });
  await app.register(eventRoutes, { store: opts.store.queries });
  await app.register(plantRoutes, { store: opts.store.queries, now, ...(desk ? { audit: opts.store.audit } : {}) });
  if (opts.devices?.provisioning) await app.register(adminDeviceRoutes, { provisioning: opts.devices.provisioning, now, ...(desk ? { desk } : {}) });
  if (desk) {
    await app.register(ticketActionRoutes, { desk, now });
    await app.register(onCallRoutes, { desk, store: opts.store, now });
    await app.register(pagingPrefsRoutes, { desk, store: opts.store, now });
    if (opts.pageAck) await app.register(pageAckRoutes, { desk, store: opts.store.queries, now, ...opts.pageAck });
    await app.register(alarmHistoryRoutes, { store: opts.store.queries, audit: opts.store.audit });
    await app.register(ticketBulkRoutes, { desk, now });
    await app.register(alarmRoutes, { desk, store: opts.store.queries });
    await app.register(alarmTicketRoutes, { desk, store: opts.store.queries, now });
    await app.register(auditRoutes, { audit: opts.store.audit, webhooks: opts.store.webhooks });
    await app.register(webhookRoutes, { outbox: opts.store.webhooks, audit: opts.store.audit, sender: desk.webhooks, now });
    await app.register(adminRoutes, { desk });
    await app.register(streamRoute, {
      desk, store: opts.store.queries, now, onHub: (hub) => { liveHub = hub; },
      ...(opts.observeIngest ? { observeIngest: opts.observeIngest } : {}),
      cluster: opts.store.cluster,
    });
    await app.register(ticketChangesRoute, { desk, store: opts.store.queries, now, onFeed: (feed) => { changeFeed = feed; } });
  }
  if (opts.knowledge) await app.register(knowledgeRoutes, { knowledge: opts.knowledge, now });
  if (opts.mqttHttpAuth) {
    await app.register(mqttHttpAuthRoutes, { ...opts.mqttHttpAuth, routePrefix: MQTT_HTTP_AUTH_PREFIX, lookup: (username) => opts.store.credentials.find(username) });
  }
  await app.register(reportRoutes, { reports: opts.store.reports, now, ...(opts.operatorsBySite ? { operatorsBySite: opts.operatorsBySite } : {}) });
  await app.register(faultTextRoutes, { adapters: ADAPTERS });
  await app.register(docsRoute, { docs, version: API_VERSION });
  await app.register(metricsRoute, {
    sources: {
      health: opts.health, store: () => opts.store.queries.metrics(), auth: () => app.authCounters(),
      ...(opts.observeIngest ? { observeIngest: opts.observeIngest } : {}),
    },
    caller: async (req) => (await authenticate(req, auth)).auth,
  });
  // Last: the dashboard's catch-all GET (index.html for client routes; /api paths get the API's 404).
  if (opts.web !== false) await app.register(webRoutes, opts.web ?? {});
  await app.ready();
  return app;
}
