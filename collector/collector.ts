/**
 * Composition root of the collector: store → desk config → service desk → ingest → embedded
 * broker → HTTP API. Owns start order and shutdown; stop() undoes start in reverse and is safe to
 * call twice.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../protocol/logger.js';
import { FaultlineError } from '../protocol/errors.js';
import { buildApi } from './api/app.js';
import { ADAPTERS } from '../firmware-adapters/index.js';
import { MqttBroker, type Authenticate } from './broker/mqtt-broker.js';
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
import { openStore, type StorePort } from './store/index.js';
import { AuditCheckpointer } from './audit/checkpointer.js';

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
  /** Signed checkpoints of the audit chain's head (default: every minute to <dataDir>/audit-checkpoints.jsonl). */
  auditCheckpoint?: { file?: string; everyMs?: number };
}

export interface RunningCollector {
  mqttPort: number;
  httpPort: number;
  /** e.g. http://127.0.0.1:8080 (a wildcard listen address is shown as loopback). */
  httpUrl: string;
  mqttUrl: string;
  /** The MQTTS port when a TLS listener runs, else 0. */
  mqttTlsPort: number;
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

  let store: StorePort | undefined;
  let pipeline: IngestPipeline | undefined;
  let desk: DeskService | undefined;
  let broker: MqttBroker | undefined;
  let security: BrokerSecurity | undefined;
  let app: FastifyInstance | undefined;
  let rpc: RpcClient | undefined;
  let checkpointer: AuditCheckpointer | undefined;
  let stopping: Promise<void> | undefined;

  /** Runs every shutdown step even when one fails, so nothing is left open; reports the first failure. */
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const steps: Array<[string, () => unknown]> = [
        ['rpc', () => rpc?.stop()],
        ['security', () => security?.stop()],
        ['broker', () => broker?.stop()],
        ['ingest', () => pipeline?.stop()],
        ['desk', () => desk?.stop()],
        ['http', () => app?.close()],
        ['audit-checkpoint', () => checkpointer?.stop()],
        ['store', () => store?.close()],
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
    store = await openStore({ dataDir: opts.dataDir, database: opts.database, log: log.child({ part: 'store' }), nowMs: now(), background: true });
    const config = new DeskConfigHolder({ ...(opts.configFile === undefined ? {} : { file: opts.configFile }), log: log.child({ part: 'config' }), now });
    const service = new DeskService({ store, config, log: log.child({ part: 'desk' }), now });
    desk = service;
    await service.start();
    checkpointer = new AuditCheckpointer({
      audit: store.audit, dataDir: opts.dataDir, file: opts.auditCheckpoint?.file, everyMs: opts.auditCheckpoint?.everyMs, now, log: log.child({ part: 'audit' }),
    });
    checkpointer.start();
    const ingest = new IngestPipeline({ store: store.ingest, log: log.child({ part: 'ingest' }), now });
    pipeline = ingest;
    ingest.start();
    const guard = new BrokerSecurity({ credentials: store.credentials, log: log.child({ part: 'security' }), mode: opts.mqttAuth ?? 'auto', now });
    security = guard;
    const mqtt = new MqttBroker({
      host: mqttHost, port: opts.mqttPort ?? DEFAULT_MQTT_PORT, log: log.child({ part: 'broker' }),
      ingest: (topic, payload, clientId) => ingest.handle(topic, payload, clientId),
      ...(opts.authenticate ? { authenticate: opts.authenticate } : { hooks: guard.hooks }),
      ...(opts.mqttTls ? { tls: opts.mqttTls } : {}),
      plainTcp: opts.mqttPlain ?? true,
    });
    broker = mqtt;
    await mqtt.start();
    await guard.start(() => mqtt.connectedClients());
    // Engineers' device requests: the collector's own MQTT client, connected to its broker in memory
    // (whatever listeners it has), with an in-memory service credential.
    const provisioning = new DeviceProvisioning(store);
    const credential = await guard.issueInternalCredential('rpc');
    rpc = new RpcClient({
      connect: () => mqtt.internalConnection(), ...credential, log: log.child({ part: 'rpc' }),
      presence: (t) => mqtt.connectedClients().some((c) => c.id === deviceClientId(t.site, t.device) && !c.closed),
    });
    await rpc.start();
    const knowledge = new KnowledgeService(store.knowledge);
    await knowledge.kb.seed(adapterSeeds(ADAPTERS), now());
    const opened = store;
    app = await buildApi({
      store, desk: service, log: log.child({ part: 'api' }), now, knowledge,
      ...(opts.operatorsBySite ? { operatorsBySite: opts.operatorsBySite } : {}),
      devices: { provisioning, ...(rpc ? { rpc } : {}) },
      ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
      observeIngest: (observer) => ingest.observe(observer),
      health: {
        startedAtMs,
        // The collector's own RPC client is not counted.
        broker: () => ({ port: mqtt.port, clients: mqtt.connectedClients().filter((c) => !c.id.startsWith(RPC_CLIENT_ID_PREFIX)).length }),
        ingest: () => ingest.counters.snapshot(),
        security: () => guard.snapshot(),
        ...(rpc ? { deviceRequests: rpc.stats.bind(rpc) } : {}),
      },
    });
    const httpPort = await listenHttp(app, httpHost, opts.httpPort ?? DEFAULT_HTTP_PORT);
    const running: RunningCollector = {
      mqttPort: mqtt.port, httpPort, mqttTlsPort: mqtt.tlsPort,
      issueInternalCredential: (name) => guard.issueInternalCredential(name),
      mqttUrl: urlFor('mqtt', mqttHost, mqtt.port), httpUrl: urlFor('http', httpHost, httpPort),
      desk: service, reloadConfig: () => service.reloadConfig(), stop,
    };
    log.info({ mqttUrl: running.mqttUrl, httpUrl: running.httpUrl, store: opened.location, config: config.current().source }, 'collector started');
    return running;
  } catch (err) {
    await stop().catch((stopErr: unknown) => log.error({ err: stopErr }, 'cleanup after a failed start also failed'));
    throw err;
  }
}
