/**
 * Sends syslog messages to one server over UDP (a datagram each) or TCP (one connection, opened
 * when needed and again after it broke; octet-counted frames). A failed send rejects with
 * FL_ERR_AUDIT_SYSLOG; the caller logs and counts it. `stop()` closes the socket.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, Socket, connect } from 'node:net';
import { FaultlineError } from '../../protocol/errors.js';
import { octetFrame } from './syslog-format.js';

export const SYSLOG_TRANSPORTS = ['udp', 'tcp'] as const;
export type SyslogTransport = (typeof SYSLOG_TRANSPORTS)[number];

export interface SyslogTarget {
  transport: SyslogTransport;
  host: string;
  port: number;
}

/** How long a TCP connect or write may take before the send fails. */
const TCP_TIMEOUT_MS = 5_000;

export class SyslogSender {
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private stopped = false;

  constructor(readonly target: SyslogTarget) {}

  async send(message: string): Promise<void> {
    if (this.stopped) throw this.failure('the sender is stopped');
    try {
      if (this.target.transport === 'udp') await this.sendUdp(message);
      else await this.sendTcp(octetFrame(message));
    } catch (cause) {
      if (cause instanceof FaultlineError) throw cause;
      throw this.failure((cause as Error).message, cause);
    }
  }

  stop(): void {
    this.stopped = true;
    this.udp?.close();
    this.udp = undefined;
    this.tcp?.destroy();
    this.tcp = undefined;
  }

  private failure(why: string, cause?: unknown): FaultlineError {
    const { transport, host, port } = this.target;
    return new FaultlineError('FL_ERR_AUDIT_SYSLOG', `cannot send an audit checkpoint to syslog ${transport}://${host}:${port}: ${why}`, {
      ...(cause === undefined ? {} : { cause }), context: { transport, host, port }, hint: 'check that the syslog server listens there; the next checkpoint is sent again',
    });
  }

  private sendUdp(message: string): Promise<void> {
    if (!this.udp) {
      const socket = createSocket(isIPv6(this.target.host) ? 'udp6' : 'udp4');
      socket.on('error', () => { socket.close(); if (this.udp === socket) this.udp = undefined; });
      socket.unref();
      this.udp = socket;
    }
    const socket = this.udp;
    return new Promise((resolve, reject) => {
      socket.send(message, this.target.port, this.target.host, (err) => (err ? reject(err) : resolve()));
    });
  }

  private async connection(): Promise<Socket> {
    if (this.tcp && !this.tcp.destroyed) return this.tcp;
    const socket = connect({ host: this.target.host, port: this.target.port });
    socket.setNoDelay(true);
    socket.setTimeout(TCP_TIMEOUT_MS);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => { socket.destroy(); reject(err); };
      socket.once('connect', () => { socket.off('error', fail); socket.off('timeout', onTimeout); resolve(); });
      socket.once('error', fail);
      const onTimeout = (): void => fail(new Error(`no connection within ${TCP_TIMEOUT_MS} ms`));
      socket.once('timeout', onTimeout);
    });
    // Connected: no idle timeout; a broken connection is dropped here and opened again by the next send.
    socket.setTimeout(0);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => { if (this.tcp === socket) this.tcp = undefined; });
    socket.unref();
    this.tcp = socket;
    return socket;
  }

  private async sendTcp(frame: string): Promise<void> {
    const socket = await this.connection();
    await new Promise<void>((resolve, reject) => {
      socket.write(frame, 'utf8', (err) => (err ? reject(err) : resolve()));
    });
  }
}
