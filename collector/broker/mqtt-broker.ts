/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1) on a TCP server with TCP_NODELAY. Publishes
 * under fl/v1/ are ingested before they are acknowledged (see publish-gate.ts).
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import type { Logger } from '../../bin/log.js';
import { FaultlineError } from '../../protocol/errors.js';
import { createPublishGate, type IngestHandler } from './publish-gate.js';

export type Authenticate = NonNullable<AedesOptions['authenticate']>;

/** Until device credentials exist every client is accepted; this is where they will plug in. */
export const acceptAllClients: Authenticate = (_client, _username, _password, done) => done(null, true);

export interface MqttBrokerOptions {
  host: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  port: number;
  log: Logger;
  ingest: IngestHandler;
  authenticate?: Authenticate;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export class MqttBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private boundPort = 0;

  constructor(private readonly opts: MqttBrokerOptions) {}

  async start(): Promise<void> {
    if (this.aedes) return;
    const { log } = this.opts;
    const aedes = await Aedes.createBroker({
      authenticate: this.opts.authenticate ?? acceptAllClients,
      authorizePublish: createPublishGate(this.opts.ingest, log),
    });
    aedes.on('client', (c) => log.debug({ clientId: c.id }, 'mqtt client connected'));
    aedes.on('clientDisconnect', (c) => log.debug({ clientId: c.id }, 'mqtt client disconnected'));
    aedes.on('clientError', (c, err) => log.warn({ clientId: c.id, err: err.message }, 'mqtt client error; connection closed'));
    aedes.on('connectionError', (_c, err) => log.warn({ err: err.message }, 'mqtt connection error'));
    const server = createServer({ noDelay: true }, aedes.handle);
    server.on('error', (err) => log.error({ err }, 'mqtt server error'));
    try {
      await listen(server, this.opts.host, this.opts.port);
    } catch (cause) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw new FaultlineError('FL_ERR_BROKER_LISTEN', `cannot listen for MQTT on ${this.opts.host}:${this.opts.port}: ${(cause as Error).message}`, {
        cause, context: { host: this.opts.host, port: this.opts.port },
        hint: 'pick a free port with --mqtt-port, or stop the other MQTT broker on this port',
      });
    }
    this.aedes = aedes;
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  get port(): number {
    return this.boundPort;
  }

  get clients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** Stops accepting, disconnects every client (their wills are ingested), then closes. */
  async stop(): Promise<void> {
    const { aedes, server } = this;
    this.aedes = undefined;
    this.server = undefined;
    if (!aedes || !server) return;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await serverClosed;
  }
}
