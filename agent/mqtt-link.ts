/**
 * The agent's one MQTT connection: last-will death, a birth on every (re)connect, QoS 1 fault
 * events (resolved on the broker's PUBACK), QoS 0 telemetry and status, and the device's own
 * rpc/req subscription. mqtt.js reconnects by itself; while offline, QoS 1 publishes wait in
 * its queue and go out in order on reconnect.
 */
import type { Socket } from 'node:net';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { encodeBirth, encodeDeath, encodeFaultEvent, encodeStatus, encodeTelemetry } from '../protocol/codec.js';
import { topicFor } from '../protocol/topics.js';
import type { AgentStatus, DeviceBirth, FaultEvent, Telemetry } from '../protocol/values.js';

export interface MqttLinkOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  reconnectMs: number;
  site: string;
  device: string;
  sessionId: string;
  birth: () => DeviceBirth;
  onRpcRequest: (payload: Buffer) => void;
  log: Logger;
}

export class MqttLink {
  private client: MqttClient | null = null;
  connects = 0;

  constructor(private readonly opts: MqttLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    const o = this.opts;
    const death = encodeDeath({ device: o.device, site: o.site, timeMs: 0, sessionId: o.sessionId, reason: 'connection lost' });
    const client = connect(o.url, {
      clientId: `fl-${o.site}-${o.device}`.slice(0, 64),
      username: o.username, password: o.password,
      protocolVersion: o.protocolVersion, keepalive: o.keepaliveS, reconnectPeriod: o.reconnectMs,
      connectTimeout: 10_000, clean: true, queueQoSZero: false,
      will: { topic: topicFor(o.site, o.device, 'death'), payload: Buffer.from(death), qos: 1, retain: false },
    });
    this.client = client;
    client.on('connect', () => {
      this.connects++;
      // mqtt.js leaves Nagle on: small QoS 0/1 packets would wait ~40 ms for an ACK.
      (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
      o.log.info({ url: o.url, connects: this.connects }, 'connected to broker');
      client.publish(topicFor(o.site, o.device, 'birth'), Buffer.from(encodeBirth(o.birth())), { qos: 1 });
      client.subscribe(topicFor(o.site, o.device, 'rpc/req'), { qos: 1 });
    });
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/rpc/req')) o.onRpcRequest(payload);
    });
    client.on('offline', () => o.log.warn({ url: o.url }, 'broker unreachable; will retry'));
    client.on('error', (err) => o.log.warn({ err: err.message, url: o.url }, 'mqtt error'));
  }

  /** Resolves once the broker acknowledged the event (PUBACK), which for the faultline collector means it is committed. */
  async publishEvent(e: FaultEvent): Promise<void> {
    await this.requireClient().publishAsync(topicFor(e.site, e.device, 'event'), Buffer.from(encodeFaultEvent(e)), { qos: 1 });
  }

  publishTelemetry(t: Telemetry): void {
    if (this.connected) this.requireClient().publish(topicFor(t.site, t.device, 'telemetry'), Buffer.from(encodeTelemetry(t)), { qos: 0 });
  }

  publishStatus(s: AgentStatus): void {
    if (this.connected) this.requireClient().publish(topicFor(s.site, s.device, 'status'), Buffer.from(encodeStatus(s)), { qos: 0 });
  }

  publishRpcResponse(payload: Uint8Array): void {
    this.requireClient().publish(topicFor(this.opts.site, this.opts.device, 'rpc/res'), Buffer.from(payload), { qos: 1 });
  }

  /** Clean shutdown: a death with reason "shutdown", then disconnect (so the broker does not fire the will). */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    const o = this.opts;
    if (client.connected) {
      const death = encodeDeath({ device: o.device, site: o.site, timeMs: Date.now(), sessionId: o.sessionId, reason: 'shutdown' });
      await Promise.race([
        client.publishAsync(topicFor(o.site, o.device, 'death'), Buffer.from(death), { qos: 1 }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    }
    await client.endAsync(true);
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new Error('MqttLink is not started');
    return this.client;
  }
}
