/**
 * Composition root of the collector: store → desk config → service desk → ingest → broker
 * (embedded aedes, or with `broker` an external MQTT 5 broker: cluster mode) → HTTP API. Owns
 * start order and shutdown; stop() undoes start in reverse and is safe to call twice.
 */
import { MailPager, type SmtpSettings } from './desk/mail-pager.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../protocol/logger.js';
import { FaultlineError } from '../protocol/errors.js';
import { buildApi } from './api/app.js';
import { DEFAULT_RETENTION, RetentionWorker, telemetryRetentionMs, type RetentionSettings } from './retention.js';
import { ADAPTERS } from '../firmware-adapters/index.js';
import { MqttBroker, type Authenticate } from './broker/mqtt-broker.js';
import type { DevicePublisher } from './broker/device-publisher.js';
import { ExternalBroker, type ExternalBrokerSettings } from './broker/external-broker.js';
import { storePresence } from './rpc/store-presence.js';
import { httpAuthCounters } from './security/http-auth-counters.js';
import { MqttClient } from 'mqtt';
import type { TlsListenerOptions } from './broker/listeners.js';
import { adapterSeeds } from './knowledge/adapter-seeds.js';
import { KnowledgeService } from './knowledge/knowledge-service.js';
import { BrokerSecurity, type AuthMode } from './security/broker-security.js';
import { deviceClientId } from './security/acl-rules.js';
import { DeviceProvisioning } from './security/device-provisioning.js';
import { RPC_CLIENT_ID_PREFIX, RpcClient } from './rpc/rpc-client.js';
import { DeskConfigHolder } from './desk-config/config-holder.js';
import type { DeskSettings } from './desk-config/desk-settings.js';
import { DeskService } from './desk/desk-service.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { ReceiptSender } from './ingest/receipt-sender.js';
import { lockDataDir, openStore, type DataDirLock, type StorePort } from './store/index.js';
import type { HealthJson } from './api/schemas.js';
import { AuditCheckpointer } from './audit/checkpointer.js';
import { checkpointSinks } from './audit/checkpoint-sinks.js';
import type { SyslogTarget } from './audit/syslog-sender.js';

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_HTTP_PORT = 8080;

export interface CollectorOptions {
  /** Directory of the SQLite file faultline.db (and of the device-key file); created when missing. */
  dataDir: string;
  /** postgres://… : keep the desk in this shared PostgreSQL database instead of SQLite (default: FAULTLINE_DATABASE). */
  database?: string;
  mqttHost?: string;
  /** 0 = any free port; see RunningCollector.mqttPort. */
  mqttPort?: number;
  httpHost?: string;
  httpPort?: number;
  log: Logger;
  /** The clock, epoch ms (tests pass a fake one). */
  now?: () => number;
  /** Replaces the device-credential check entirely (tests); default: BrokerSecurity over the credential table. */
  authenticate?: Authenticate;
  /** auto (default): device credentials required once any exists; required; off. */
  mqttAuth?: AuthMode;
  /** An MQTTS listener alongside (or, with mqttPlain false, instead of) plain MQTT. */
  mqttTls?: TlsListenerOptions;
  mqttPlain?: boolean;
  /** Operators per site, for the alarm-load figures of the reports (default 1). */
  operatorsBySite?: Readonly<Record<string, number>>;
  /** The service-desk YAML (routing, teams, calendars, SLA, webhooks …); built-in defaults without one. */
  configFile?: string;
  /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For the HTTP API believes (see api/trusted-proxies.ts). */
  trustProxy?: readonly string[];
  /**
   * Cluster mode: an external MQTT 5 broker instead of the embedded one (no MQTT listener here;
   * the mqtt* and authentication options above are then unused). Devices authenticate at that
   * broker (Mosquitto dynamic security via `faultline device add --broker`, or its HTTP auth).
   */
  broker?: ExternalBrokerSettings;
  /** Serve an EMQX-style broker's HTTP auth/authz at /api/mqtt/{auth,acl} for callers with this shared secret (api/app.ts). */
  mqttHttpAuth?: { secret: string };
  /** How long events and telemetry are kept (default DEFAULT_RETENTION: events 180 days, telemetry 24 h). */
  retention?: RetentionSettings;
  /** The data directory's lock, when the caller took it before touching the directory (the demo); released by stop(). */
  dataDirLock?: DataDirLock;
  /**
   * Signed checkpoints of the audit chain's head (default: at most 5 s after it moved, to
   * <dataDir>/audit-checkpoints.jsonl); each also to a syslog server when given, and to the webhooks
   * whose events name `audit.checkpoint`.
   */
  auditCheckpoint?: { file?: string; everyMs?: number; syslog?: SyslogTarget };
  /** E-mail pages over SMTP with acknowledge links (desk/mail-pager.ts); none: pages are not sent. */
  smtp?: SmtpSettings;
}

export interface RunningCollector {
  mqttPort: number;
  httpPort: number;
  /** e.g. http://127.0.0.1:8080 (a wildcard listen address is shown as loopback). */
  httpUrl: string;
  mqttUrl: string;
  /** The MQTTS port when a TLS listener runs, else 0. */
  mqttTlsPort: number;
  /** embedded: aedes in this process; external: cluster mode on an MQTT 5 broker (mqttUrl is that broker's). */
  brokerMode: 'embedded' | 'external';
  /** What the collector sends to devices (RPC requests, receipts): into aedes, or over its connection to the external broker. */
  devicePublisher: DevicePublisher;
  /** Issues an in-memory service credential for one of the collector's own MQTT clients. */
  issueInternalCredential(name: string): Promise<{ username: string; password: string }>;
  /** The running service desk (its scheduler and webhook sender included). */
  desk: DeskService;
  /** Re-reads the config file (SIGHUP, POST /api/admin/reload-config); throws and keeps the old one when it is invalid. */
  reloadConfig(): Promise<DeskSettings>;
  /** Closes broker, ingest, desk, HTTP server and database, in that order. Idempotent. */
  stop(): Promise<void>;
}

/** A URL this machine can use to reach a server listening on host:port. */
export function urlFor(scheme: 'http' | 'mqtt', host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${scheme}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

async function listenHttp(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (cause) {
    throw new FaultlineError('FL_ERR_API_LISTEN', `cannot listen for HTTP on ${host}:${port}: ${(cause as Error).message}`, {
      cause, context: { host, port }, hint: 'pick a free port with --http-port',
    });
  }
  return (app.server.address() as AddressInfo).port;
}

export async function startCollector(opts: CollectorOptions): Promise<RunningCollector> {
  const now = opts.now ?? Date.now;
  const { log } = opts;
  const mqttHost = opts.mqttHost ?? DEFAULT_HOST;
  const httpHost = opts.httpHost ?? DEFAULT_HOST;
  const startedAtMs = now();
  // First of all: one collector per data directory (throws naming the holder).
  const lock = opts.dataDirLock ?? lockDataDir(opts.dataDir, 'collector', startedAtMs);
  if (lock.tookOverFrom) log.warn({ previous: lock.tookOverFrom }, 'took over the data directory of a collector that ended without releasing it');

  let store: StorePort | undefined;
  let pipeline: IngestPipeline | undefined;
  let desk: DeskService | undefined;
  let broker: MqttBroker | undefined;
  let external: ExternalBroker | undefined;
  let security: BrokerSecurity | undefined;
  let app: FastifyInstance | undefined;
  let rpc: RpcClient | undefined;
  let retention: RetentionWorker | undefined;
  let checkpointer: AuditCheckpointer | undefined;
  let stopping: Promise<void> | undefined;

  /** Runs every shutdown step even when one fails, so nothing is left open; reports the first failure. */
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const steps: Array<[string, () => unknown]> = [
        ['retention', () => retention?.stop()],
        ['rpc', () => rpc?.stop()],
        ['security', () => security?.stop()],
        ['broker', () => broker?.stop()],
        ['external broker', () => external?.stop()],
        ['ingest', () => pipeline?.stop()],
        ['desk', () => desk?.stop()],
        ['http', () => app?.close()],
        ['audit-checkpoint', () => checkpointer?.stop()],
        ['store', () => store?.close()],
        ['lock', () => lock.release()],
      ];
      let firstError: unknown;
      for (const [part, step] of steps) {
        try {
          await step();
        } catch (err) {
          log.error({ err, part }, 'error while stopping');
          firstError ??= err;
        }
      }
      if (firstError !== undefined) throw firstError;
      log.info('collector stopped');
    })();
    return stopping;
  };

  try {
    const keep = opts.retention ?? DEFAULT_RETENTION;
    store = await openStore({
      dataDir: opts.dataDir, database: opts.database, log: log.child({ part: 'store' }), nowMs: now(), background: true,
      telemetryRetentionMs: telemetryRetentionMs(keep),
    });
    retention = new RetentionWorker({ store: store.retention, settings: keep, log: log.child({ part: 'retention' }), now });
    retention.start();
    const config = new DeskConfigHolder({ ...(opts.configFile === undefined ? {} : { file: opts.configFile }), log: log.child({ part: 'config' }), now });
    const mail = opts.smtp ? new MailPager(opts.smtp, log.child({ part: 'mail' })) : undefined;
    const service = new DeskService({ store, config, log: log.child({ part: 'desk' }), now, ...(mail ? { mail } : {}) });
    desk = service;
    await service.start();
    const checkpoints = new AuditCheckpointer({
      audit: store.audit, dataDir: opts.dataDir, file: opts.auditCheckpoint?.file, everyMs: opts.auditCheckpoint?.everyMs, now, log: log.child({ part: 'audit' }),
      sinks: checkpointSinks(service, opts.auditCheckpoint?.syslog, now),
    });
    checkpointer = checkpoints;
    checkpoints.start();
    // Receipts go to devices through whichever transport runs, once it runs (collector/ingest/receipt-sender.ts).
    let publisher: DevicePublisher | undefined;
    const receipts = new ReceiptSender({
      publish: (topic, payload, qos) => (publisher
        ? publisher.publish(topic, payload, qos)
        : Promise.reject(new FaultlineError('FL_ERR_BROKER_PUBLISH', `cannot send ${topic}: the broker is not running yet`))),
      log: log.child({ part: 'receipts' }), now,
    });
    const ingest = new IngestPipeline({ store: store.ingest, log: log.child({ part: 'ingest' }), now, receipts });
    pipeline = ingest;
    ingest.start();
    const transport = opts.broker
      ? await startExternal(opts.broker, store, ingest, log, (r) => { rpc = r; }, (e) => { external = e; })
      : await startEmbedded(opts, mqttHost, store, ingest, log, (g) => { security = g; }, (b) => { broker = b; }, (r) => { rpc = r; });
    publisher = transport.publisher;
    const provisioning = new DeviceProvisioning(store);
    const httpAuth = opts.mqttHttpAuth ? { secret: opts.mqttHttpAuth.secret, ...httpAuthCounters(now) } : undefined;
    const knowledge = new KnowledgeService(store.knowledge);
    await knowledge.kb.seed(adapterSeeds(ADAPTERS), now());
    const opened = store;
    app = await buildApi({
      store, desk: service, log: log.child({ part: 'api' }), now, knowledge,
      ...(opts.operatorsBySite ? { operatorsBySite: opts.operatorsBySite } : {}),
      devices: { provisioning, ...(rpc ? { rpc } : {}) },
      ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
      ...(httpAuth ? { mqttHttpAuth: { secret: httpAuth.secret, onDecision: httpAuth.onDecision } } : {}),
      observeIngest: (observer) => ingest.observe(observer),
      ...(opts.smtp ? { pageAck: { linkSecret: opts.smtp.linkSecret } } : {}),
      health: {
        startedAtMs,
        broker: transport.health,
        ingest: () => ({ ...ingest.counters.snapshot(), receipts: receipts.snapshot() }),
        // Cluster mode: the broker authenticates; what it asked the collector over HTTP is counted here.
        ...(transport.security ? { security: transport.security } : httpAuth ? { security: async () => httpAuth.counters.snapshot('required') } : {}),
        writes: () => ingest.writes.snapshot(now()),
        ...(rpc ? { deviceRequests: rpc.stats.bind(rpc) } : {}),
        auditCheckpoints: () => checkpoints.stats(),
      },
    });
    const httpPort = await listenHttp(app, httpHost, opts.httpPort ?? DEFAULT_HTTP_PORT);
    const running: RunningCollector = {
      mqttPort: transport.mqttPort, httpPort, mqttTlsPort: transport.mqttTlsPort,
      issueInternalCredential: transport.issueInternalCredential,
      mqttUrl: transport.mqttUrl, httpUrl: urlFor('http', httpHost, httpPort),
      brokerMode: opts.broker ? 'external' : 'embedded', devicePublisher: transport.publisher,
      desk: service, reloadConfig: () => service.reloadConfig(), stop,
    };
    log.info({ mqttUrl: running.mqttUrl, httpUrl: running.httpUrl, store: opened.location, config: config.current().source }, 'collector started');
    return running;
  } catch (err) {
    await stop().catch((stopErr: unknown) => log.error({ err: stopErr }, 'cleanup after a failed start also failed'));
    throw err;
  }
}

/** What the rest of the collector needs of its transport, embedded or external. */
interface Transport {
  mqttPort: number;
  mqttTlsPort: number;
  mqttUrl: string;
  publisher: DevicePublisher;
  health: () => NonNullable<HealthJson['broker']>;
  security?: () => Promise<NonNullable<HealthJson['security']>>;
  issueInternalCredential(name: string): Promise<{ username: string; password: string }>;
}

/** The embedded aedes broker with the collector's own device security, and the RPC client on it in memory. */
async function startEmbedded(
  opts: CollectorOptions, mqttHost: string, store: StorePort, ingest: IngestPipeline, log: Logger,
  onSecurity: (g: BrokerSecurity) => void, onBroker: (b: MqttBroker) => void, onRpc: (r: RpcClient) => void,
): Promise<Transport> {
  const now = opts.now ?? Date.now;
  const guard = new BrokerSecurity({ credentials: store.credentials, log: log.child({ part: 'security' }), mode: opts.mqttAuth ?? 'auto', now });
  onSecurity(guard);
  const mqtt = new MqttBroker({
    host: mqttHost, port: opts.mqttPort ?? DEFAULT_MQTT_PORT, log: log.child({ part: 'broker' }),
    ingest: (topic, payload, clientId) => ingest.handle(topic, payload, clientId),
    ...(opts.authenticate ? { authenticate: opts.authenticate } : { hooks: guard.hooks }),
    ...(opts.mqttTls ? { tls: opts.mqttTls } : {}),
    plainTcp: opts.mqttPlain ?? true,
  });
  onBroker(mqtt);
  await mqtt.start();
  await guard.start(() => mqtt.connectedClients());
  // Engineers' device requests: the collector's own MQTT client, connected to its broker in memory
  // (whatever listeners it has), with an in-memory service credential.
  const credential = await guard.issueInternalCredential('rpc');
  const rpc = new RpcClient({
    open: (options) => new MqttClient(() => mqtt.internalConnection(), options), ...credential, log: log.child({ part: 'rpc' }),
    presence: (t) => mqtt.connectedClients().some((c) => c.id === deviceClientId(t.site, t.device) && !c.closed),
  });
  onRpc(rpc);
  await rpc.start();
  return {
    mqttPort: mqtt.port, mqttTlsPort: mqtt.tlsPort, mqttUrl: urlFor('mqtt', mqttHost, mqtt.port), publisher: mqtt,
    // The collector's own RPC client is not counted.
    health: () => ({ mode: 'embedded', port: mqtt.port, clients: mqtt.connectedClients().filter((c) => !c.id.startsWith(RPC_CLIENT_ID_PREFIX)).length }),
    security: () => guard.snapshot(),
    issueInternalCredential: (name) => guard.issueInternalCredential(name),
  };
}

/**
 * Cluster mode: ingest through the shared subscription, device requests on this collector's own
 * connection to the broker, device presence from the store. Device security is the broker's.
 */
async function startExternal(
  settings: ExternalBrokerSettings, store: StorePort, ingest: IngestPipeline, log: Logger,
  onRpc: (r: RpcClient) => void, onExternal: (e: ExternalBroker) => void,
): Promise<Transport> {
  const link = new ExternalBroker({ settings, ingest: (topic, payload) => ingest.handle(topic, payload, null), log: log.child({ part: 'broker' }) });
  onExternal(link);
  if (!/^postgres(ql)?:\/\//.test(store.location)) {
    log.warn({ store: store.location }, 'external broker with SQLite: fine for one collector; collectors sharing a broker group need one PostgreSQL (--database)');
  }
  await link.start();
  const rpc = new RpcClient({ ...link.rpcConnection(), log: log.child({ part: 'rpc' }), presence: storePresence(store.queries) });
  onRpc(rpc);
  await rpc.start();
  return {
    mqttPort: link.snapshot().port, mqttTlsPort: 0, mqttUrl: link.url, publisher: rpc.publisher,
    health: () => link.snapshot(),
    issueInternalCredential: () => Promise.reject(new FaultlineError('FL_ERR_BROKER_CONFIG', 'the collector runs on an external broker: client credentials are the broker\'s', {
      hint: 'give the client a credential on the broker (faultline device add --broker …)',
    })),
  };
}
