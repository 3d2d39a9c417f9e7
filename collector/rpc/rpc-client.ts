/**
 * The collector's RPC client: one MQTT connection, opened by `open`: to its own embedded broker,
 * in memory (no listener or socket), with an in-memory service credential
 * (BrokerSecurity.issueInternalCredential); or, in cluster mode, to the external MQTT 5 broker
 * with the collector's broker user and a client id unique to this collector. It publishes
 * RpcRequests on fl/v1/{site}/{device}/rpc/req and matches RpcResponses from rpc/res by request id
 * (an answer counts only from the device it was asked of). Every request has a deadline (the
 * request's deadline_ms, and the wait here): FL_ERR_RPC_TIMEOUT when it passes; FL_ERR_RPC_OFFLINE
 * at once when the broker has no session for the device, or when its death arrives while a
 * request waits. The agent's error codes are passed through. Requests go at QoS 0: after its
 * deadline a request is worth nothing, so there is nothing to redeliver.
 * Uses the wall clock: deadlines are compared by the agent with its own clock.
 *
 * Several collectors: every collector's client subscribes (not shared) to every rpc/res, so each
 * sees every answer and takes only those whose request id it is waiting for (ids are random
 * UUIDs). An answer to an id this client never sent is counted as `otherAnswers` (another
 * collector asked), one it sent but no longer waits for as `lateAnswers`. Presence can come from
 * the store (cluster: the device's birth/death state, asynchronously) instead of the broker.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient, IClientOptions } from 'mqtt';
import { clientPublisher, type DevicePublisher } from '../broker/device-publisher.js';
import type { Logger } from '../../protocol/logger.js';
import { decodeRpcResponse, encodeRpcRequest } from '../../protocol/codec.js';
import { errorCode, errorMessage } from '../../protocol/errors.js';
import { TOPIC_ROOT, parseTopic, topicFor } from '../../protocol/topics.js';
import type { RpcOp, RpcRequest } from '../../protocol/values.js';
import type { DeviceRpc, DeviceRpcOp, RpcAnswer } from './device-rpc.js';
import { PendingRequests, type PendingTarget } from './pending-requests.js';
import { agentError, offlineError, stoppedError, timeoutError, unavailableError } from './rpc-errors.js';
import { DEFAULT_RPC_TIMEOUT_MS, DEFAULT_WRITE_TIMEOUT_MS, rpcTimeoutMs } from './rpc-timeouts.js';
import { signWrite } from './write-signature.js';

export interface RpcClientOptions {
  /**
   * Opens the connection with these options (client id, credential, protocol, reconnect): the
   * embedded broker's in-memory link, or the external broker (external-broker.ts).
   */
  open: (options: IClientOptions) => MqttClient;
  username?: string;
  password?: string;
  /** Default: fl-collector-rpc-<random>. In cluster mode unique per collector, so answers come back here. */
  clientId?: string;
  /** 4 (MQTT 3.1.1, the embedded broker; default) or 5 (an external broker). */
  protocolVersion?: 4 | 5;
  /**
   * Whether the device is connected right now (undefined: cannot tell): the embedded broker's
   * session list (synchronous), or the store's device state (a promise, cluster mode).
   */
  presence: (target: PendingTarget) => boolean | undefined | Promise<boolean | undefined>;
  log: Logger;
  maxPending?: number;
  /** Longest wait for the first connection in start() (default 5000 ms); it keeps retrying afterwards. */
  connectTimeoutMs?: number;
}

interface Waiting extends PendingTarget {
  id: string;
  requestedAtMs: number;
  timer: ReturnType<typeof setTimeout>;
  resolve: (a: RpcAnswer) => void;
  reject: (e: Error) => void;
}

export interface RpcClientStats {
  pending: number;
  sent: number;
  answered: number;
  failed: number;
  timeouts: number;
  offline: number;
  lateAnswers: number;
  badAnswers: number;
  /** Answers to requests another collector sent (cluster mode: every collector sees every answer). */
  otherAnswers: number;
}

/** Client ids of the collector's RPC clients (not counted as devices in /api/health). */
export const RPC_CLIENT_ID_PREFIX = 'fl-collector-rpc-';

const RES_FILTER = `${TOPIC_ROOT}/+/+/rpc/res`;
const DEATH_FILTER = `${TOPIC_ROOT}/+/+/death`;
/** Ids of this client's requests remembered after they ended, to tell a late answer from another collector's. */
const RECENT_IDS = 4096;

export class RpcClient implements DeviceRpc {
  private client: MqttClient | undefined;
  private readonly pending: PendingRequests<Waiting>;
  private stopped = false;
  private readonly counts = { sent: 0, answered: 0, failed: 0, timeouts: 0, offline: 0, lateAnswers: 0, badAnswers: 0, otherAnswers: 0 };
  private readonly recentIds = new Set<string>();
  /** What this client sends to devices goes through here (its own connection). */
  readonly publisher: DevicePublisher = clientPublisher(() => this.client);

  constructor(private readonly opts: RpcClientOptions) {
    this.pending = new PendingRequests<Waiting>(opts.maxPending);
  }

  stats(): RpcClientStats {
    return { pending: this.pending.size, ...this.counts };
  }

  /** Connects and subscribes; resolves once connected, or after connectTimeoutMs (it keeps retrying, logged). */
  async start(): Promise<void> {
    if (this.client || this.stopped) return;
    const { log } = this.opts;
    const options: IClientOptions = {
      ...(this.opts.username === undefined ? {} : { username: this.opts.username }),
      ...(this.opts.password === undefined ? {} : { password: this.opts.password }),
      protocolVersion: this.opts.protocolVersion ?? 4, clean: true,
      clientId: this.opts.clientId ?? `${RPC_CLIENT_ID_PREFIX}${randomUUID().slice(0, 8)}`, reconnectPeriod: 1000, connectTimeout: 5000, keepalive: 30,
    };
    const client = this.opts.open(options);
    this.client = client;
    client.on('connect', () => {
      client.subscribe([RES_FILTER, DEATH_FILTER], { qos: 0 }, (err) => {
        if (err) log.error({ err: err.message }, 'rpc client cannot subscribe to device answers');
      });
      log.info('rpc client connected to the broker');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => log.warn({ err: err.message }, 'rpc client connection error'));
    client.on('offline', () => { if (!this.stopped) log.warn('rpc client disconnected from the broker; reconnecting'); });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log.error('rpc client could not connect to the broker yet; device requests fail until it does');
        resolve();
      }, this.opts.connectTimeoutMs ?? 5000);
      timer.unref();
      client.once('connect', () => { clearTimeout(timer); resolve(); });
    });
  }

  /** Synchronous presence only (the embedded broker's sessions); undefined when it comes from the store. */
  isConnected(target: PendingTarget): boolean | undefined {
    const p = this.opts.presence(target);
    return p instanceof Promise ? undefined : p;
  }

  async request(target: PendingTarget, op: DeviceRpcOp, timeoutMs?: number): Promise<RpcAnswer> {
    const timeout = rpcTimeoutMs(timeoutMs, op.kind === 'write' ? DEFAULT_WRITE_TIMEOUT_MS : DEFAULT_RPC_TIMEOUT_MS);
    if (this.stopped) throw stoppedError();
    if (!this.client?.connected) throw unavailableError('not connected to the broker');
    if ((await this.opts.presence(target)) === false) {
      this.counts.offline++;
      throw offlineError(target);
    }
    return this.send(target, op, timeout);
  }

  private remember(id: string): void {
    this.recentIds.add(id);
    if (this.recentIds.size > RECENT_IDS) this.recentIds.delete(this.recentIds.values().next().value as string);
  }

  private send(target: PendingTarget, op: DeviceRpcOp, timeout: number): Promise<RpcAnswer> {
    const requestedAtMs = Date.now();
    const id = randomUUID();
    const deadlineMs = requestedAtMs + timeout;
    const wireOp: RpcOp = op.kind === 'write'
      ? { kind: 'write', values: op.values, signature: signWrite(op.writeKey, target.site, target.device, id, deadlineMs, op.values) }
      : op;
    const req: RpcRequest = { id, deadlineMs, op: wireOp };
    return new Promise<RpcAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.take(id)) return;
        this.counts.timeouts++;
        reject(timeoutError(target, timeout));
      }, timeout);
      try {
        this.pending.add(id, { id, site: target.site, device: target.device, requestedAtMs, timer, resolve, reject });
      } catch (err) {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.counts.sent++;
      this.remember(id);
      this.publisher.publish(topicFor(target.site, target.device, 'rpc/req'), encodeRpcRequest(req), 0).catch((err: unknown) => {
        const w = this.pending.take(id);
        if (!w) return;
        clearTimeout(w.timer);
        w.reject(unavailableError(`the request could not be sent: ${errorMessage(err)}`));
      });
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    let from;
    try {
      from = parseTopic(topic);
    } catch {
      return;
    }
    if (from.kind === 'death') {
      if (this.opts.presence(from) === true) return; // a stale will; the device is back (store presence: not known yet, so taken as real)
      for (const w of this.pending.takeDevice(from)) {
        clearTimeout(w.timer);
        this.counts.offline++;
        w.reject(offlineError(from, 'went offline while the request was waiting'));
      }
      return;
    }
    if (from.kind !== 'rpc/res') return;
    let res;
    try {
      res = decodeRpcResponse(payload);
    } catch (err) {
      this.counts.badAnswers++;
      this.opts.log.warn({ topic, code: errorCode(err), err: errorMessage(err) }, 'bad rpc answer dropped');
      return;
    }
    const w = this.pending.settle(res.id, from);
    if (!w) {
      if (this.recentIds.has(res.id)) {
        this.counts.lateAnswers++;
        this.opts.log.debug({ topic, rpc: res.id }, 'late rpc answer for a request that already ended');
      } else {
        this.counts.otherAnswers++;
      }
      return;
    }
    clearTimeout(w.timer);
    if (res.ok) {
      this.counts.answered++;
      w.resolve({ response: res, requestedAtMs: w.requestedAtMs, answeredAtMs: Date.now() });
    } else {
      this.counts.failed++;
      w.reject(agentError(from, res));
    }
  }

  /** Fails every waiting request, then disconnects. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.pending.drain()) {
      clearTimeout(w.timer);
      w.reject(stoppedError());
    }
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch((err: unknown) => this.opts.log.warn({ err: errorMessage(err) }, 'rpc client did not close cleanly'));
  }
}
