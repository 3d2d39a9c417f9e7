/**
 * Cluster mode's way in: a collector's membership of a shared subscription
 * (`$share/<group>/<filter>`) on an external MQTT 5 broker, acknowledging each message only after
 * the handler has committed it.
 *
 * mqtt.js processes a connection's incoming packets one at a time while an acknowledgement is
 * held in its callbacks, so each connection hands its callbacks back at once and holds the PUBACK
 * itself in a PubackGate (puback-gate.ts) until the handler has committed, releasing PUBACKs in
 * the order the PUBLISHes arrived. Each connection tells the broker its Receive Maximum
 * (`receiveMaximum`, default 256), so it never has more than that many unacknowledged messages;
 * the subscriber holds `connections` members of the group (clean sessions, client ids
 * `<prefix>-<n>`), so up to connections × receiveMaximum are in flight and the handler can
 * commit them together.
 *
 * Rules that follow from how Mosquitto treats shared groups (tests/integration/cluster/
 * mosquitto-shared-inflight.test.ts): clean sessions, so a member that is gone takes nothing
 * queued with it; stop() UNSUBSCRIBEs every member before it waits for the handlers and
 * disconnects. A handler that fails is retried with backoff while its acknowledgement is held
 * (the broker sends that member at most its Receive Maximum meanwhile: back-pressure while the
 * database is away). What a crashed collector held unacknowledged is lost at the broker: the agent's resend
 * of unreceipted events is what covers it, end to end.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FaultlineError } from '../../protocol/errors.js';
import { PubackGate } from './puback-gate.js';

export interface SharedMessage {
  topic: string;
  payload: Buffer;
  /** Which of the subscriber's connections carried it (0-based). */
  connection: number;
}

export interface SharedSubscriberOptions {
  url: string;
  username?: string;
  password?: string;
  /** The share name: `$share/<group>/…`; collectors of one cluster use the same. */
  group: string;
  /** Topic filters without the $share prefix, e.g. fl/v1/+/+/event. */
  filters: readonly string[];
  /** Client ids are `<clientIdPrefix>-<n>`: unique per collector. */
  clientIdPrefix: string;
  /** Members of the group this collector holds (default 8). */
  connections?: number;
  /** Unacknowledged messages the broker may send one connection (MQTT 5 Receive Maximum, default 256). */
  receiveMaximum?: number;
  /** Resolves once the message is committed; only then is it acknowledged. */
  handle(message: SharedMessage): Promise<void>;
  /** A handler failure (it is retried) or a connection problem (it reconnects). */
  onError?(err: Error, where: { connection: number; topic?: string }): void;
  /** TLS and other mqtt.js options. */
  connect?: Omit<IClientOptions, 'protocolVersion' | 'clientId' | 'clean' | 'customHandleAcks' | 'username' | 'password'>;
  /** First retry delay after a handler failure (default 100 ms, doubling to 5 s). */
  retryMs?: number;
}

const SHARE_NAME = /^[^/+#]+$/;
const DEFAULT_RECEIVE_MAXIMUM = 256;

export class SharedSubscriber {
  private readonly clients: MqttClient[] = [];
  private pending = 0;
  private stopping = false;
  private idle: Array<() => void> = [];
  private readonly counts = { acknowledged: 0, handlerErrors: 0, connectionErrors: 0 };

  constructor(private readonly opts: SharedSubscriberOptions) {
    const problems: string[] = [];
    if (!SHARE_NAME.test(opts.group)) problems.push(`group ${JSON.stringify(opts.group)} must be non-empty and free of / + #`);
    if (opts.filters.length === 0) problems.push('no topic filter');
    for (const f of opts.filters) if (f.startsWith('$share/')) problems.push(`filter ${f} must not carry the $share prefix (it is added)`);
    const n = opts.connections ?? 8;
    if (!Number.isInteger(n) || n < 1 || n > 256) problems.push(`connections must be 1..256, got ${n}`);
    const rm = opts.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM;
    if (!Number.isInteger(rm) || rm < 1 || rm > 65535) problems.push(`receiveMaximum must be 1..65535, got ${rm}`);
    if (problems.length > 0) {
      throw new FaultlineError('FL_ERR_BROKER_SHARED_CONFIG', `shared subscription settings: ${problems.join('; ')}`, {
        context: { group: opts.group, filters: opts.filters, connections: n }, hint: 'e.g. group "collectors", filters ["fl/v1/+/+/event"]',
      });
    }
  }

  /** Messages handed to the handler and not yet acknowledged. */
  get inFlight(): number {
    return this.pending;
  }

  /** For /api/health: the group, members held and connected, in flight, and counts since start. */
  snapshot(): { group: string; connections: number; connected: number; inFlight: number; acknowledged: number; handlerErrors: number; connectionErrors: number } {
    return {
      group: this.opts.group, connections: this.clients.length, connected: this.clients.filter((c) => c.connected).length,
      inFlight: this.pending, ...this.counts,
    };
  }

  private get sharedFilters(): string[] {
    return this.opts.filters.map((f) => `$share/${this.opts.group}/${f}`);
  }

  async start(): Promise<void> {
    const n = this.opts.connections ?? 8;
    try {
      for (let i = 0; i < n; i++) this.clients.push(await this.member(i));
    } catch (err) {
      await Promise.all(this.clients.map((c) => c.endAsync(true)));
      this.clients.length = 0;
      throw err;
    }
  }

  private async member(index: number): Promise<MqttClient> {
    const clientId = `${this.opts.clientIdPrefix}-${index}`;
    const client = mqtt.connect(this.opts.url, {
      reconnectPeriod: 1000, connectTimeout: 10_000, ...this.opts.connect,
      properties: { ...this.opts.connect?.properties, receiveMaximum: this.opts.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM },
      protocolVersion: 5, clientId, clean: true, username: this.opts.username, password: this.opts.password,
      customHandleAcks: (topic, payload, packet, done) => {
        // QoS 1 only (the filters are subscribed at QoS 1): the gate holds the PUBACK mqtt.js sends after done(0)
        const ticket = gate.receive(packet.messageId ?? 0);
        void this.deliver({ topic, payload, connection: index }).then(() => { this.counts.acknowledged++; ticket.release(); }, () => undefined);
        done(0);
      },
    });
    const gate = new PubackGate(client);
    client.on('error', (err) => { this.counts.connectionErrors++; this.opts.onError?.(err, { connection: index }); });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      const reasons = await client.subscribeAsync(this.sharedFilters, { qos: 1 })
        .then((granted) => granted.map((g) => g.qos), (err: unknown) => [(err as { code?: number }).code ?? 0x80]);
      const refused = reasons.filter((q) => q >= 0x80);
      if (refused.length > 0) {
        throw new FaultlineError('FL_ERR_BROKER_SUBSCRIBE', `the broker refused the shared subscription ${this.sharedFilters.join(', ')} (reason 0x${refused[0]?.toString(16)})`, {
          context: { clientId, filters: this.sharedFilters, reasons },
          hint: 'give the collector\'s broker user the right to subscribe to $share/<group>/fl/v1/# (the service role)',
        });
      }
    } catch (err) {
      await client.endAsync(true);
      throw err instanceof FaultlineError ? err : new FaultlineError('FL_ERR_BROKER_CONNECT', `cannot connect to the broker at ${this.opts.url} as ${clientId}: ${(err as Error).message}`, {
        context: { url: this.opts.url, clientId }, cause: err, hint: 'check --broker, the broker user and password, and TLS settings',
      });
    }
    return client;
  }

  /** Runs the handler until it succeeds (or the subscriber stops: then the message stays unacknowledged). */
  private async deliver(message: SharedMessage): Promise<void> {
    this.pending++;
    try {
      let delay = this.opts.retryMs ?? 100;
      for (;;) {
        try {
          await this.opts.handle(message);
          return;
        } catch (err) {
          this.counts.handlerErrors++;
          this.opts.onError?.(err as Error, { connection: message.connection, topic: message.topic });
          if (this.stopping) throw err;
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
    } finally {
      this.pending--;
      if (this.pending === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /**
   * Leaves the group (UNSUBSCRIBE on every member, so the broker sends nothing more here), lets
   * the handlers in flight finish and be acknowledged (up to `graceMs`), then disconnects.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.clients.length === 0) return;
    const deadline = Date.now() + graceMs;
    await within(Promise.all(this.clients.map((c) => c.unsubscribeAsync(this.sharedFilters).catch(() => undefined))), graceMs);
    if (this.pending > 0) await within(new Promise<void>((resolve) => this.idle.push(resolve)), deadline - Date.now());
    this.stopping = true;
    // let the last acknowledgements go out before DISCONNECT
    await new Promise((r) => setImmediate(r));
    await Promise.all(this.clients.map((c) => within(c.endAsync(), 2000).then(() => c.endAsync(true))));
    this.clients.length = 0;
  }
}

/** Waits for `p` at most `ms` (never rejects). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, ms)); })]);
  clearTimeout(timer);
}
