/**
 * The broker's network listeners: plain TCP (MQTT, usually 1883) and TLS (MQTTS, usually 8883),
 * both with TCP_NODELAY (Nagle would hold small PUBACKs ~40 ms). Certificate files are read at
 * start; a missing or unreadable file is a FaultlineError naming the file.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { FaultlineError } from '../../protocol/errors.js';

export interface TlsListenerOptions {
  /** Listen address (default: the plain listener's host). */
  host?: string;
  /** 0 picks a free port; read it back from MqttBroker.tlsPort. */
  port: number;
  /** PEM server certificate (chain) and private key. */
  certFile: string;
  keyFile: string;
  /** PEM CA bundle; with it, clients must present a certificate signed by it (mutual TLS). */
  caFile?: string;
}

type Handler = (socket: Socket) => void;

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_BROKER_TLS', `cannot read the TLS ${what} ${file}: ${(cause as Error).message}`, {
      cause, context: { file, what }, hint: `check the ${what} path and that the collector may read it`,
    });
  }
}

export function plainServer(handle: Handler): Server {
  return createServer({ noDelay: true }, handle);
}

export function tlsServer(opts: TlsListenerOptions, handle: Handler, onTlsError: (err: Error) => void): Server {
  const cert = readPem(opts.certFile, 'certificate');
  const key = readPem(opts.keyFile, 'private key');
  const ca = opts.caFile === undefined ? undefined : readPem(opts.caFile, 'CA bundle');
  let server;
  try {
    server = createTlsServer({
      cert, key, ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}), noDelay: true, minVersion: 'TLSv1.2',
    }, (socket: TLSSocket) => handle(socket));
  } catch (cause) {
    throw new FaultlineError('FL_ERR_BROKER_TLS', `invalid TLS certificate or key: ${(cause as Error).message}`, {
      cause, context: { certFile: opts.certFile, keyFile: opts.keyFile }, hint: 'give a PEM certificate and the PEM private key that belongs to it',
    });
  }
  // A failed handshake (wrong CA, plain MQTT on the TLS port) is the client's problem: log, never crash.
  server.on('tlsClientError', onTlsError);
  return server;
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
