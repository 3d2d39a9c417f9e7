/**
 * Composition root of the collector: store → ingest → embedded broker → HTTP API. Owns start
 * order and shutdown; stop() undoes start in reverse and is safe to call twice.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../bin/log.js';
import { FaultlineError } from '../protocol/errors.js';
import { buildApi } from './api/app.js';
import { MqttBroker, type Authenticate } from './broker/mqtt-broker.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { openStore, type Store } from './store/store.js';

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_HTTP_PORT = 8080;

export interface CollectorOptions {
  /** Directory of the SQLite file faultline.db; created when missing. */
  dataDir: string;
  mqttHost?: string;
  /** 0 = any free port; see RunningCollector.mqttPort. */
  mqttPort?: number;
  httpHost?: string;
  httpPort?: number;
  log: Logger;
  /** The clock, epoch ms (tests pass a fake one). */
  now?: () => number;
  /** MQTT CONNECT check; every client is accepted until device credentials exist. */
  authenticate?: Authenticate;
}

export interface RunningCollector {
  mqttPort: number;
  httpPort: number;
  /** e.g. http://127.0.0.1:8080 (a wildcard listen address is shown as loopback). */
  httpUrl: string;
  mqttUrl: string;
  /** Closes broker, ingest, HTTP server and database, in that order. Idempotent. */
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

  let store: Store | undefined;
  let pipeline: IngestPipeline | undefined;
  let broker: MqttBroker | undefined;
  let app: FastifyInstance | undefined;
  let stopping: Promise<void> | undefined;

  /** Runs every shutdown step even when one fails, so nothing is left open; reports the first failure. */
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const steps: Array<[string, () => unknown]> = [
        ['broker', () => broker?.stop()],
        ['ingest', () => pipeline?.stop()],
        ['http', () => app?.close()],
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
    store = openStore({ dataDir: opts.dataDir, log: log.child({ part: 'store' }), nowMs: now() });
    const ingest = new IngestPipeline({ store, log: log.child({ part: 'ingest' }), now });
    pipeline = ingest;
    ingest.start();
    const mqtt = new MqttBroker({
      host: mqttHost, port: opts.mqttPort ?? DEFAULT_MQTT_PORT, log: log.child({ part: 'broker' }),
      ingest: (topic, payload, clientId) => ingest.handle(topic, payload, clientId),
      ...(opts.authenticate ? { authenticate: opts.authenticate } : {}),
    });
    broker = mqtt;
    await mqtt.start();
    const queries = store;
    app = await buildApi({
      store: queries, log: log.child({ part: 'api' }), now,
      health: {
        startedAtMs,
        broker: () => ({ port: mqtt.port, clients: mqtt.clients }),
        ingest: () => ingest.counters.snapshot(),
      },
    });
    const httpPort = await listenHttp(app, httpHost, opts.httpPort ?? DEFAULT_HTTP_PORT);
    const running: RunningCollector = {
      mqttPort: mqtt.port, httpPort,
      mqttUrl: urlFor('mqtt', mqttHost, mqtt.port), httpUrl: urlFor('http', httpHost, httpPort),
      stop,
    };
    log.info({ mqttUrl: running.mqttUrl, httpUrl: running.httpUrl, db: queries.file }, 'collector started');
    return running;
  } catch (err) {
    await stop().catch((stopErr: unknown) => log.error({ err: stopErr }, 'cleanup after a failed start also failed'));
    throw err;
  }
}
