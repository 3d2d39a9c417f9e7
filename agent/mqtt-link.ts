/**
 * One device's MQTT connection, fed by the agent's durable outbox.
 *
 * - Everything the device reports (fault events, telemetry, status) is appended to the outbox
 *   first (fsync'd) and published from there by the drainer (agent/mqtt/drainer.ts): QoS 1 for
 *   every kind, deleted only after the PUBACK. Telemetry and status are QoS 1 too so that the
 *   window bounds them and a backlog drains without flooding the socket; the drainer keeps
 *   them from delaying events. Birth (on every connect), death and RPC responses are
 *   published directly: they only mean something on the live connection.
 * - MQTT 3.1.1 by default, MQTT 5 when asked; TLS with a CA file and an optional client
 *   certificate; the device's own username/password (never logged).
 * - Last will: a `death` with reason "connection lost". A clean stop publishes a `death`
 *   "shutdown" and disconnects properly, so the will is not fired.
 * - Reconnect is ours, not mqtt.js's: every connection attempt is a fresh mqtt.js client with
 *   reconnectPeriod 0 and clean: true, and after it closes the next attempt waits a jittered,
 *   exponentially growing delay (agent/mqtt/backoff.ts); the attempt counter resets on CONNACK.
 *   Because each client lives for one connection only, mqtt.js never keeps an offline queue
 *   or resends our messages by itself (its outgoing store dies with the client; we never
 *   publish while disconnected): the outbox is the only queue.
 * - TCP_NODELAY on every connection (Nagle would hold small publishes ~40 ms).
 * - Receipts (`receipts`, on by default in the agent config): the link subscribes to its own
 *   `receipt` topic, and a fault event leaves the outbox only when a collector's receipt names it;
 *   a PUBACK only marks it sent, and it is resent when due (drainer.ts). If the broker refuses
 *   that subscription, this connection falls back to deleting events on their PUBACK, with an
 *   error in the log.
 */
import type { Socket } from 'node:net';
import type { IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
// The connect entry point alone, not the package index (which also loads the WebSocket and
// browser transports): about 7 MiB less RSS on a small device.
import connectModule from 'mqtt/lib/connect/index';

// A CommonJS module: imported from ESM, its module.exports arrives whole; `.default` is connect().
const connect = (connectModule as unknown as { default: (url: string, opts?: IClientOptions) => MqttClient }).default;
import type { Logger } from '../protocol/logger.js';
import { decodeReceipt, encodeBirth, encodeDeath, encodeFaultEvent, encodeStatus, encodeTelemetry } from '../protocol/codec.js';
import { FaultlineError } from '../protocol/errors.js';
import { topicFor } from '../protocol/topics.js';
import type { AgentStatus, DeviceBirth, FaultEvent, Telemetry, UnsupportedRegister } from '../protocol/values.js';
import { checkBackoff, reconnectDelay, type BackoffOptions } from './mqtt/backoff.js';
import { checkBrokerUrl, connectOptions, redactUrl, tlsOptions, type TlsFiles } from './mqtt/client-options.js';
import { OutboxDrainer, type DrainCounters, type ReceiptCounters } from './mqtt/drainer.js';
import type { ResendPolicy } from './core/receipt-resend.js';
import type { Outbox } from './outbox/index.js';

export const DEFAULT_MAX_IN_FLIGHT = 32;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long a clean stop waits for the death's PUBACK, and then for the DISCONNECT to go out. */
const STOP_WAIT_MS = 2000;
/** While the broker stays unreachable, one warning per this many failed attempts (the others are debug). */
const WARN_EVERY_ATTEMPTS = 10;

export interface StatusInputs {
  pollErrors: number;
  /** Inputs the device's sources dropped before they reached the outbox. */
  drops: number;
  /** Registers the device refused with a Modbus exception (not polled, re-probed). */
  unsupported: UnsupportedRegister[];
  polls: number;
  pollTimeouts: number;
  pollExceptions: number;
  pollLinkErrors: number;
  logLinesClipped: number;
}

export interface MqttLinkOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  protocolVersion: 4 | 5;
  keepaliveS: number;
  connectTimeoutMs?: number;
  tls?: TlsFiles | undefined;
  reconnect: BackoffOptions;
  /** Unacknowledged publishes at most (default 32). */
  maxInFlight?: number;
  /** Period of the status message; 0 = none. */
  statusIntervalMs: number;
  site: string;
  device: string;
  sessionId: string;
  outbox: Outbox;
  birth: () => DeviceBirth;
  statusInputs?: () => StatusInputs;
  onRpcRequest: (payload: Buffer) => void;
  log: Logger;
  now?: () => number;
  /** [0, 1) source for the backoff jitter (tests pin it). */
  random?: () => number;
  /** Keep fault events until a collector's receipt, resending on this policy; left out: delete on PUBACK. */
  receipts?: ResendPolicy | undefined;
  /** Telemetry and status go out from memory, stored only when unacknowledged this long (drainer.ts); left out: stored first. */
  unstoredMaxMs?: number | undefined;
}

export interface LinkCounters extends DrainCounters, ReceiptCounters {
  /** Receipt messages that did not decode or were not this device's (ignored). */
  badReceipts: number;
  connects: number;
  disconnects: number;
  /** Connection attempts that ended before a CONNACK (unreachable, TLS or credentials refused, timeout). */
  connectFailures: number;
}

export class MqttLink {
  /** The outbox device key of this link's messages. */
  readonly outboxKey: string;
  private readonly drainer: OutboxDrainer;
  private readonly now: () => number;
  private client: MqttClient | null = null;
  private isConnected = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastError = '';
  private connects = 0;
  private disconnects = 0;
  private connectFailures = 0;
  private badReceipts = 0;
  private startedMs: number;
  private running = false;
  private tls: ReturnType<typeof tlsOptions> = {};

  constructor(private readonly opts: MqttLinkOptions) {
    this.outboxKey = `${opts.site}/${opts.device}`;
    this.now = opts.now ?? Date.now;
    this.startedMs = this.now();
    this.drainer = new OutboxDrainer({
      outbox: opts.outbox, device: this.outboxKey, maxInFlight: opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, log: opts.log,
      receipts: opts.receipts, now: this.now, unstoredMaxMs: opts.unstoredMaxMs,
    });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Starts connecting (in the background) and the status timer. Throws FL_ERR_MQTT_* on a bad URL, backoff or TLS file. */
  start(): void {
    if (this.running) return;
    checkBrokerUrl(this.opts.url);
    checkBackoff(this.opts.reconnect);
    this.tls = tlsOptions(this.opts.url, this.opts.tls); // files read once; a bad file fails here, not on every attempt
    this.running = true;
    this.startedMs = this.now();
    this.drainer.start();
    if (this.opts.statusIntervalMs > 0) {
      this.statusTimer = setInterval(() => {
        try {
          this.enqueueStatus();
        } catch (err) {
          this.opts.log.error({ err }, 'cannot queue the status message');
        }
      }, this.opts.statusIntervalMs);
    }
    this.connectNow();
  }

  /**
   * Stores a fault event in the outbox and returns it; `build` gets the device's next sequence
   * number, taken in the same fsync'd transaction. Once this returns the event survives a crash
   * and will be delivered (unless evicted from a full outbox, which is counted).
   */
  enqueueEvent(build: (seq: number) => FaultEvent): FaultEvent {
    let built: FaultEvent | undefined;
    this.opts.outbox.appendSequenced(this.outboxKey, (seq) => {
      built = build(seq);
      if (built.device !== this.opts.device || built.site !== this.opts.site) {
        throw new FaultlineError('FL_ERR_MQTT_WRONG_DEVICE', `event for ${built.site}/${built.device} given to the link of ${this.outboxKey}`);
      }
      return { device: this.outboxKey, kind: 'event', topic: topicFor(built.site, built.device, 'event'), payload: encodeFaultEvent(built), qos: 1, createdMs: built.timeMs, eventId: built.id };
    });
    if (!built) throw new Error('appendSequenced did not call the builder');
    return built;
  }

  /** Stores a telemetry batch; false when a full outbox had no room for it (counted as an eviction). */
  enqueueTelemetry(t: Telemetry): boolean {
    const payload = encodeTelemetry({ ...t, device: this.opts.device, site: this.opts.site });
    return this.drainer.enqueueLight({ device: this.outboxKey, kind: 'telemetry', topic: this.topic('telemetry'), payload, qos: 1 });
  }

  /** Stores a status message now (the periodic one is queued by the link itself). */
  enqueueStatus(): boolean {
    const payload = encodeStatus(this.status());
    return this.drainer.enqueueLight({ device: this.outboxKey, kind: 'status', topic: this.topic('status'), payload, qos: 1 });
  }

  /** An RPC answer goes out at once on the live connection, or is dropped (the requester's deadline handles that). */
  publishRpcResponse(payload: Uint8Array): void {
    const client = this.client;
    if (!client || !this.isConnected) {
      this.opts.log.warn('rpc response dropped: not connected');
      return;
    }
    client.publish(this.topic('rpc/res'), Buffer.from(payload), { qos: 1 }, (err) => {
      if (err) this.opts.log.warn({ err: err.message }, 'rpc response not delivered');
    });
  }

  counters(): LinkCounters {
    return {
      ...this.drainer.counters, ...this.drainer.receiptCounters, badReceipts: this.badReceipts,
      connects: this.connects, disconnects: this.disconnects, connectFailures: this.connectFailures,
    };
  }

  /** The device's status as of now. */
  status(): AgentStatus {
    const { outbox, site, device } = this.opts;
    const depth = outbox.depth(this.outboxKey);
    const evicted = outbox.evictions(this.outboxKey);
    const inputs = this.opts.statusInputs?.() ?? { pollErrors: 0, drops: 0, unsupported: [], polls: 0, pollTimeouts: 0, pollExceptions: 0, pollLinkErrors: 0, logLinesClipped: 0 };
    const c = this.counters();
    const now = this.now();
    const oldest = outbox.oldestCreatedMs(this.outboxKey);
    return {
      device, site, timeMs: now, uptimeS: Math.max(0, now - this.startedMs) / 1000,
      outboxDepth: depth.total, pollErrors: inputs.pollErrors, eventsPublished: c.ackedEvents,
      outboxEvents: depth.event, outboxTelemetry: depth.telemetry, outboxStatus: depth.status, outboxBytes: outbox.bytes(this.outboxKey),
      evictedEvents: evicted.event, evictedTelemetry: evicted.telemetry, evictedStatus: evicted.status,
      drops: inputs.drops, connects: c.connects, disconnects: c.disconnects, resent: c.resent, rejected: c.rejected,
      unsupported: inputs.unsupported, deadLetters: outbox.deadLetters(this.outboxKey),
      polls: inputs.polls, pollTimeouts: inputs.pollTimeouts, pollExceptions: inputs.pollExceptions, pollLinkErrors: inputs.pollLinkErrors,
      outboxOldestAgeS: oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000, logLinesClipped: inputs.logLinesClipped,
      unreceipted: outbox.unreceipted(this.outboxKey), receipted: c.receipted, resentUnreceipted: c.resentUnreceipted,
      rejectedTelemetry: c.rejectedTelemetry, rejectedStatus: c.rejectedStatus,
    };
  }

  /**
   * Clean shutdown: stops sending, publishes a death "shutdown" (waits up to 2 s for its PUBACK,
   * while acknowledgements of earlier publishes still arrive and delete them), disconnects so
   * the broker drops the will. Unacknowledged messages stay in the outbox. Does
   * not close the outbox (its owner does, after every link stopped).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.retryTimer = null;
    this.statusTimer = null;
    const client = this.client;
    const wasConnected = this.isConnected;
    this.client = null;
    this.isConnected = false;
    if (!client || !wasConnected) {
      this.drainer.stop();
      await client?.endAsync(true).catch(() => undefined);
      return;
    }
    this.drainer.hold(); // acknowledgements of what is in flight still delete it while the death goes out
    const { site, device, sessionId } = this.opts;
    const death = encodeDeath({ device, site, timeMs: this.now(), sessionId, reason: 'shutdown' });
    // The broker may be going away at this very moment: a closed socket ends the waits at once.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await within(STOP_WAIT_MS, Promise.race([closed, client.publishAsync(this.topic('death'), Buffer.from(death), { qos: 1 })]));
    if (!(await within(STOP_WAIT_MS, Promise.race([closed, client.endAsync(false)])))) {
      (client.stream as unknown as Partial<Socket>).destroy?.();
    }
    this.drainer.stop();
    this.opts.log.info('disconnected from broker (shutdown)');
  }

  private topic(kind: 'status' | 'telemetry' | 'death' | 'birth' | 'rpc/req' | 'rpc/res' | 'receipt'): string {
    return topicFor(this.opts.site, this.opts.device, kind);
  }

  private connectNow(): void {
    this.retryTimer = null;
    if (!this.running) return;
    const o = this.opts;
    const will = encodeDeath({ device: o.device, site: o.site, timeMs: 0, sessionId: o.sessionId, reason: 'connection lost' });
    let client: MqttClient;
    try {
      client = connect(o.url, connectOptions({
        ...o, connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, will: { topic: this.topic('death'), payload: will },
      }, this.tls));
    } catch (err) {
      this.lastError = (err as Error).message;
      this.scheduleRetry(false);
      return;
    }
    this.client = client;
    client.on('connect', (connack) => this.onConnect(client, connack));
    client.on('message', (topic, payload) => {
      if (client !== this.client) return;
      if (topic === this.topic('rpc/req')) o.onRpcRequest(payload);
      else if (topic === this.topic('receipt')) this.onReceipt(payload);
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      o.log.debug({ err: err.message, url: redactUrl(o.url) }, 'mqtt error');
    });
    client.on('close', () => this.onClose(client));
  }

  private onConnect(client: MqttClient, connack: IConnackPacket): void {
    if (client !== this.client) return;
    const o = this.opts;
    this.isConnected = true;
    this.attempt = 0;
    this.connects++;
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    o.log.info({ url: redactUrl(o.url), connects: this.connects, backlog: o.outbox.depth(this.outboxKey).total }, 'connected to broker');
    client.publish(this.topic('birth'), Buffer.from(encodeBirth(o.birth())), { qos: 1 }, (err) => {
      if (err && client === this.client) o.log.warn({ err: err.message }, 'birth not acknowledged');
    });
    client.subscribe(this.topic('rpc/req'), { qos: 1 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128)) o.log.warn({ err: err?.message ?? 'subscription refused' }, 'cannot subscribe to rpc/req; live reads will not work on this connection');
    });
    // Subscribed before the first event goes out, so that its receipt finds the subscription.
    if (o.receipts) {
      client.subscribe(this.topic('receipt'), { qos: 1 }, (err, granted) => {
        if (client !== this.client || !(err || granted?.some((g) => g.qos >= 128))) return;
        this.drainer.receiptsOff();
        o.log.error({
          err: err?.message ?? 'subscription refused', topic: this.topic('receipt'),
          hint: 'let this device subscribe to its own receipt topic on the broker (a collector older than receipts: set delivery.receipts to false)',
        }, 'cannot subscribe to receipts: fault events are deleted on the broker\'s acknowledgement on this connection (no end-to-end guarantee)');
      });
    }
    this.drainer.attach((m, done) => {
      const payload = Buffer.isBuffer(m.payload) ? m.payload : Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
      client.publish(m.topic, payload, { qos: m.qos }, (err) => done(err ?? undefined));
    }, connack.properties?.receiveMaximum);
  }

  /** A collector's receipt: deletes the named events from the outbox. A bad one is counted and ignored. */
  private onReceipt(payload: Buffer): void {
    try {
      const r = decodeReceipt(payload);
      if (r.site !== this.opts.site || r.device !== this.opts.device) {
        throw new FaultlineError('FL_ERR_PROTO_INVALID', `a receipt for ${r.site}/${r.device} arrived on the receipt topic of ${this.outboxKey}`, { context: { site: r.site, device: r.device } });
      }
      this.drainer.receipt(r.eventIds, r.refused);
    } catch (err) {
      this.badReceipts++;
      this.opts.log.warn({ err, bytes: payload.length, badReceipts: this.badReceipts }, 'ignored a receipt that is not valid; its events are resent when due');
    }
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    const wasConnected = this.isConnected;
    if (wasConnected) {
      this.isConnected = false;
      this.disconnects++;
    }
    this.drainer.detach();
    // Releases the client: its pending callbacks fail (our messages stay stored) and it keeps nothing.
    client.end(true);
    this.scheduleRetry(wasConnected);
  }

  /** `lost`: a live connection ended; otherwise an attempt failed before its CONNACK. */
  private scheduleRetry(lost: boolean): void {
    if (!this.running) return;
    const delay = reconnectDelay(this.attempt, this.opts.reconnect, this.opts.random);
    const failures = lost ? 0 : this.attempt + 1;
    if (!lost) this.connectFailures++;
    this.attempt++;
    const fields = {
      url: redactUrl(this.opts.url), failedAttempts: failures, retryInMs: delay, err: this.lastError || undefined,
      backlog: this.opts.outbox.isOpen ? this.opts.outbox.depth(this.outboxKey).total : undefined,
    };
    if (lost) this.opts.log.warn(fields, 'connection to the broker lost; reconnecting with backoff');
    else if (failures % WARN_EVERY_ATTEMPTS === 1) this.opts.log.warn(fields, 'cannot reach the broker; retrying with backoff');
    else this.opts.log.debug(fields, 'cannot reach the broker; retrying with backoff');
    this.lastError = '';
    this.retryTimer = setTimeout(() => this.connectNow(), delay);
  }
}

/** Waits for `p` at most `ms`; true when it settled in time (either way). */
async function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
