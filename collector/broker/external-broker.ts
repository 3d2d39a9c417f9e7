/**
 * Cluster mode's transport: the collector on an external MQTT 5 broker (Mosquitto; EMQX,
 * HiveMQ, VerneMQ) instead of its embedded aedes. Ingest arrives through a shared subscription
 * (`$share/<group>/fl/v1/+/+/<kind>` for every kind ingest handles, SharedSubscriber), each
 * message acknowledged only once ingest has committed it; engineers' device requests go out on a
 * connection of this collector's own (`openClient`, used by the RpcClient), whose client id is
 * unique to the collector so answers come back to the one that asked.
 *
 * Client ids: `<clientIdPrefix>-in-<n>` for the group's members, `<clientIdPrefix>-rpc` for
 * requests; the prefix defaults to `fl-collector-<collector id>` (hostname-pid). The broker user's
 * password is passed to mqtt.js only, never logged nor shown: `/api/health` shows the URL without
 * user information.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError, errorCode, errorMessage } from '../../protocol/errors.js';
import { TOPIC_ROOT } from '../../protocol/topics.js';
import type { IngestKind } from '../core/devices/ingest-message.js';
import type { SubscriberHealthJson } from './broker-health-schema.js';
import { SharedSubscriber } from './shared-subscriber.js';

export const DEFAULT_SHARE_GROUP = 'faultline';
/** Members of the share group one collector holds (each carries one unacknowledged message at a time: see shared-subscriber.ts). */
export const DEFAULT_SUBSCRIBER_CONNECTIONS = 8;

/** What ingest takes from devices; never rpc/* (the RpcClient's) nor anything the collector itself publishes. */
export const INGEST_TOPIC_KINDS = ['birth', 'death', 'status', 'telemetry', 'event'] as const satisfies readonly IngestKind[];

export interface ExternalBrokerSettings {
  /** mqtt://host:port or mqtts://host:port; no user or password in it. */
  url: string;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the broker's certificate (mqtts with a private CA). */
  ca?: string | Buffer;
  /** The share group (default `faultline`); every collector of one cluster uses the same. */
  group?: string;
  /** Prefix of this collector's client ids; must differ between collectors (default fl-collector-<hostname>-<pid>). */
  clientIdPrefix?: string;
  /** Members of the share group this collector holds (default 8). */
  connections?: number;
  /** Unacknowledged messages the broker may send each member (MQTT 5 Receive Maximum, default 256). */
  receiveMaximum?: number;
}

/** hostname-pid, reduced to characters every broker accepts in a client id. */
export function defaultCollectorId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 48);
}

/** The URL checked and without user information (for logs and health), or FL_ERR_BROKER_URL. */
export function checkBrokerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FaultlineError('FL_ERR_BROKER_URL', `--broker must be a URL like mqtt://host:1883 or mqtts://host:8883, got ${JSON.stringify(url)}`, {
      context: { url }, hint: 'e.g. --broker mqtts://broker.plant.example:8883',
    });
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') {
    throw new FaultlineError('FL_ERR_BROKER_URL', `--broker must use mqtt:// or mqtts://, got ${parsed.protocol}//`, {
      context: { protocol: parsed.protocol }, hint: 'e.g. --broker mqtts://broker.plant.example:8883',
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Not echoed: the URL holds a secret.
    throw new FaultlineError('FL_ERR_BROKER_URL', 'the --broker URL carries a user or password', {
      hint: 'give the user with --broker-user and the password with --broker-password-file or FAULTLINE_BROKER_PASSWORD',
    });
  }
  if (parsed.hostname === '') throw new FaultlineError('FL_ERR_BROKER_URL', `--broker has no host: ${url}`, { context: { url } });
  return parsed;
}

/** The URL as shown: scheme, host and port (the default port filled in). */
export function displayBrokerUrl(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'mqtts:' ? '8883' : '1883';
  return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}`;
}

export interface ExternalBrokerOptions {
  settings: ExternalBrokerSettings;
  /** Resolves once the message is committed (IngestPipeline.handle); only then is it acknowledged. */
  ingest: (topic: string, payload: Uint8Array) => Promise<void>;
  log: Logger;
}

/** The external broker's health: which, where, and the shared subscriber's state. */
export interface ExternalBrokerHealth {
  port: number;
  clients: number;
  mode: 'external';
  url: string;
  clientIdPrefix: string;
  subscriber: SubscriberHealthJson;
}

export class ExternalBroker {
  readonly url: string;
  readonly clientIdPrefix: string;
  private readonly port: number;
  private readonly subscriber: SharedSubscriber;
  private readonly tls: Pick<IClientOptions, 'ca'>;

  constructor(private readonly opts: ExternalBrokerOptions) {
    const parsed = checkBrokerUrl(opts.settings.url);
    this.url = displayBrokerUrl(parsed);
    this.port = Number(new URL(this.url).port);
    this.clientIdPrefix = opts.settings.clientIdPrefix ?? `fl-collector-${defaultCollectorId()}`;
    this.tls = opts.settings.ca === undefined ? {} : { ca: opts.settings.ca };
    const { log } = opts;
    this.subscriber = new SharedSubscriber({
      url: this.url, group: opts.settings.group ?? DEFAULT_SHARE_GROUP,
      filters: INGEST_TOPIC_KINDS.map((k) => `${TOPIC_ROOT}/+/+/${k}`),
      clientIdPrefix: `${this.clientIdPrefix}-in`, connections: opts.settings.connections ?? DEFAULT_SUBSCRIBER_CONNECTIONS,
      ...(opts.settings.receiveMaximum === undefined ? {} : { receiveMaximum: opts.settings.receiveMaximum }),
      ...this.credentials(), connect: { ...this.tls },
      handle: (m) => opts.ingest(m.topic, m.payload),
      onError: (err, where) => {
        if (where.topic !== undefined) log.warn({ code: errorCode(err), topic: where.topic }, 'message not committed yet; retrying (unacknowledged meanwhile)');
        else log.warn({ err: errorMessage(err), connection: where.connection }, 'broker connection error; reconnecting');
      },
    });
  }

  private credentials(): { username?: string; password?: string } {
    const { username, password } = this.opts.settings;
    return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
  }

  /** Joins the share group with every member; throws FL_ERR_BROKER_CONNECT / FL_ERR_BROKER_SUBSCRIBE. */
  async start(): Promise<void> {
    await this.subscriber.start();
    this.opts.log.info({ url: this.url, group: this.opts.settings.group ?? DEFAULT_SHARE_GROUP, clientIdPrefix: this.clientIdPrefix }, 'subscribed to the external broker');
  }

  /** The RpcClient's connection: MQTT 5 to the same broker, same user and TLS, its own client id. */
  rpcConnection(): { open: (options: IClientOptions) => MqttClient; clientId: string; protocolVersion: 5; username?: string; password?: string } {
    return {
      open: (options) => mqtt.connect(this.url, { ...options, ...this.tls }),
      clientId: `${this.clientIdPrefix}-rpc`, protocolVersion: 5, ...this.credentials(),
    };
  }

  snapshot(): ExternalBrokerHealth {
    return { port: this.port, clients: 0, mode: 'external', url: this.url, clientIdPrefix: this.clientIdPrefix, subscriber: this.subscriber.snapshot() };
  }

  /** Leaves the group, lets what is in flight commit and be acknowledged, disconnects. */
  async stop(): Promise<void> {
    await this.subscriber.stop();
  }
}
