/**
 * The collector's RPC client: one MQTT connection to its own embedded broker, in memory (no
 * listener or socket), with an in-memory service credential (BrokerSecurity.issueInternalCredential). It publishes
 * RpcRequests on fl/v1/{site}/{device}/rpc/req and matches RpcResponses from rpc/res by request id
 * (an answer counts only from the device it was asked of). Every request has a deadline (the
 * request's deadline_ms, and the wait here): FL_ERR_RPC_TIMEOUT when it passes; FL_ERR_RPC_OFFLINE
 * at once when the broker has no session for the device, or when its death arrives while a
 * request waits. The agent's error codes are passed through. Requests go at QoS 0: after its
 * deadline a request is worth nothing, so there is nothing to redeliver.
 * Uses the wall clock: deadlines are compared by the agent with its own clock.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
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
  /** A new connection to the collector's own broker, per (re)connect (MqttBroker.internalConnection). */
  connect: () => Duplex;
  username: string;
  password: string;
  /** Whether the broker holds the device's session right now (undefined: cannot tell). */
  presence: (target: PendingTarget) => boolean | undefined;
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
}

/** Client ids of the collector's RPC clients (not counted as devices in /api/health). */
export const RPC_CLIENT_ID_PREFIX = 'fl-collector-rpc-';

const RES_FILTER = `${TOPIC_ROOT}/+/+/rpc/res`;
const DEATH_FILTER = `${TOPIC_ROOT}/+/+/death`;

export class RpcClient implements DeviceRpc {
  private client: MqttClient | undefined;
  private readonly pending: PendingRequests<Waiting>;
  private stopped = false;
  private readonly counts = { sent: 0, answered: 0, failed: 0, timeouts: 0, offline: 0, lateAnswers: 0, badAnswers: 0 };

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
      username: this.opts.username, password: this.opts.password, protocolVersion: 4, clean: true,
      clientId: `${RPC_CLIENT_ID_PREFIX}${randomUUID().slice(0, 8)}`, reconnectPeriod: 1000, connectTimeout: 5000, keepalive: 30,
    };
    const client = new MqttClient(() => this.opts.connect(), options);
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

  isConnected(target: PendingTarget): boolean | undefined {
    return this.opts.presence(target);
  }

  request(target: PendingTarget, op: DeviceRpcOp, timeoutMs?: number): Promise<RpcAnswer> {
    const timeout = rpcTimeoutMs(timeoutMs, op.kind === 'write' ? DEFAULT_WRITE_TIMEOUT_MS : DEFAULT_RPC_TIMEOUT_MS);
    const client = this.client;
    if (this.stopped) return Promise.reject(stoppedError());
    if (!client?.connected) return Promise.reject(unavailableError('not connected to the broker'));
    if (this.opts.presence(target) === false) {
      this.counts.offline++;
      return Promise.reject(offlineError(target));
    }
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
      client.publish(topicFor(target.site, target.device, 'rpc/req'), Buffer.from(encodeRpcRequest(req)), { qos: 0 }, (err) => {
        if (!err) return;
        const w = this.pending.take(id);
        if (!w) return;
        clearTimeout(w.timer);
        w.reject(unavailableError(`the request could not be sent: ${err.message}`));
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
      if (this.opts.presence(from) === true) return; // a stale will; the device is back
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
      this.counts.lateAnswers++;
      this.opts.log.debug({ topic, rpc: res.id }, 'rpc answer for no waiting request (late, or not ours)');
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
