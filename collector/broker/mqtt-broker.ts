/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1) on a plain TCP listener, a TLS listener (MQTTS),
 * or both, with TCP_NODELAY. Publishes under fl/v1/ are ingested before they are acknowledged
 * (see publish-gate.ts). Policy comes in as hooks (collector/security/ supplies them): who may
 * connect, publish and subscribe. Without hooks every client is accepted, as before.
 */
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError } from '../../protocol/errors.js';
import { duplexPair } from './in-memory-link.js';
import { closeServer, listen, plainServer, tlsServer, type TlsListenerOptions } from './listeners.js';
import { createPublishGate, type IngestHandler, type PublishCheck } from './publish-gate.js';
import { publishError, type DevicePublisher, type DeviceQos } from './device-publisher.js';

export type Authenticate = NonNullable<AedesOptions['authenticate']>;
export type PreConnect = NonNullable<AedesOptions['preConnect']>;
export type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;
export type { TlsListenerOptions } from './listeners.js';

/** Without credentials configured every client is accepted. */
export const acceptAllClients: Authenticate = (_client, _username, _password, done) => done(null, true);

/** The broker's policy, as aedes hooks plus a publish check run before ingest. */
export interface BrokerHooks {
  preConnect: PreConnect;
  authenticate: Authenticate;
  checkPublish: PublishCheck;
  authorizeSubscribe: AuthorizeSubscribe;
}

export interface MqttBrokerOptions {
  host: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  port: number;
  log: Logger;
  ingest: IngestHandler;
  /** MQTT CONNECT check alone (kept for callers that only authenticate); `hooks` wins when both are given. */
  authenticate?: Authenticate;
  hooks?: BrokerHooks;
  /** Plain MQTT listener on host:port (default true); false with `tls` = MQTTS only. */
  plainTcp?: boolean;
  /** An MQTTS listener, alongside or instead of plain TCP. */
  tls?: TlsListenerOptions;
}

export class MqttBroker implements DevicePublisher {
  private aedes: Aedes | undefined;
  private servers: Server[] = [];
  private boundPort = 0;
  private boundTlsPort = 0;
  private readonly live = new Set<Client>();

  constructor(private readonly opts: MqttBrokerOptions) {}

  async start(): Promise<void> {
    if (this.aedes) return;
    const { log, hooks } = this.opts;
    const plain = this.opts.plainTcp ?? true;
    if (!plain && !this.opts.tls) {
      throw new FaultlineError('FL_ERR_BROKER_CONFIG', 'the broker has no listener: plain TCP is off and no TLS listener is configured', {
        hint: 'turn plain TCP on or configure a TLS listener (certificate and key)',
      });
    }
    const aedes = await Aedes.createBroker({
      ...(hooks ? { preConnect: hooks.preConnect, authorizeSubscribe: hooks.authorizeSubscribe } : {}),
      authenticate: hooks?.authenticate ?? this.opts.authenticate ?? acceptAllClients,
      authorizePublish: createPublishGate(this.opts.ingest, log, hooks?.checkPublish),
    });
    aedes.on('client', (c) => { this.live.add(c); log.debug({ clientId: c.id }, 'mqtt client connected'); });
    aedes.on('clientDisconnect', (c) => { this.live.delete(c); log.debug({ clientId: c.id }, 'mqtt client disconnected'); });
    aedes.on('clientError', (c, err) => log.warn({ clientId: c.id, err: err.message }, 'mqtt client error; connection closed'));
    aedes.on('connectionError', (_c, err) => log.warn({ err: err.message }, 'mqtt connection error'));
    const handle = (socket: Socket): void => { aedes.handle(socket); };
    const servers: Server[] = [];
    try {
      if (plain) {
        const server = plainServer(handle);
        servers.push(server);
        this.boundPort = await this.listenOn(server, this.opts.host, this.opts.port, 'MQTT', '--mqtt-port');
      }
      if (this.opts.tls) {
        const tls = this.opts.tls;
        const server = tlsServer(tls, handle, (err) => log.warn({ err: err.message }, 'mqtts handshake failed'));
        servers.push(server);
        this.boundTlsPort = await this.listenOn(server, tls.host ?? this.opts.host, tls.port, 'MQTTS', 'the TLS port');
      }
    } catch (err) {
      await Promise.all(servers.map((s) => (s.listening ? closeServer(s) : undefined)));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
    for (const s of servers) s.on('error', (err) => log.error({ err }, 'mqtt server error'));
    this.aedes = aedes;
    this.servers = servers;
  }

  private async listenOn(server: Server, host: string, port: number, what: string, flag: string): Promise<number> {
    try {
      return await listen(server, host, port);
    } catch (cause) {
      throw new FaultlineError('FL_ERR_BROKER_LISTEN', `cannot listen for ${what} on ${host}:${port}: ${(cause as Error).message}`, {
        cause, context: { host, port }, hint: `pick a free port with ${flag}, or stop the other MQTT broker on this port`,
      });
    }
  }

  /** The plain TCP port (0 when plain TCP is off). */
  get port(): number {
    return this.boundPort;
  }

  /** The MQTTS port (0 when there is no TLS listener). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  get clients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /**
   * A connection to the broker for one of the collector's own clients, over an in-memory stream
   * (in-memory-link.ts) rather than a listener; it goes through the same hooks as any client.
   */
  internalConnection(): Duplex {
    if (!this.aedes) throw new FaultlineError('FL_ERR_BROKER_STOPPED', 'the broker is not running');
    const [client, server] = duplexPair();
    this.aedes.handle(server as unknown as Socket);
    return client;
  }

  /** Publishes to the broker's subscribers directly (no client, no hooks): what the collector sends to devices. */
  publish(topic: string, payload: Uint8Array, qos: DeviceQos): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(publishError(topic, 'the embedded broker is stopped'));
    return new Promise<void>((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), qos, retain: false, dup: false }, (err) => {
        if (err) reject(publishError(topic, err.message, err));
        else resolve();
      });
    });
  }

  /** The connected clients (for the security sweep that drops revoked sessions). */
  connectedClients(): Client[] {
    return [...this.live];
  }

  /** Stops accepting, disconnects every client (their wills are ingested), then closes. */
  async stop(): Promise<void> {
    const { aedes, servers } = this;
    this.aedes = undefined;
    this.servers = [];
    if (!aedes) return;
    const closed = Promise.all(servers.map(closeServer));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
    this.live.clear();
  }
}
