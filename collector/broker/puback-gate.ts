/**
 * Holds a connection's QoS 1 PUBACKs until the messages are committed, while mqtt.js goes on
 * reading: the one place cluster mode depends on a private part of mqtt.js.
 *
 * mqtt.js handles a connection's incoming packets one at a time: the next PUBLISH is read only
 * after the previous one's customHandleAcks/handleMessage callbacks finished and its PUBACK was
 * handed to `client._sendPacket`. Holding the acknowledgement in those callbacks therefore holds
 * the whole connection (one message in flight). This gate lets the callbacks finish at once and
 * intercepts the PUBACK in `_sendPacket` instead (its callback, which lets mqtt.js read on, is
 * called at once; the packet itself is written later). PUBACKs leave in the order the PUBLISHes
 * arrived (MQTT 5, 4.6): a committed message waits for the earlier ones. How many the broker
 * sends unacknowledged is bounded by the Receive Maximum the caller puts in CONNECT.
 *
 * A connection that closes forgets what it held: with a clean session the message ids are
 * meaningless on the next connection (the broker has dropped or re-dispatched those messages).
 * tests/integration/cluster/puback-gate.test.ts fails if mqtt.js stops routing PUBACKs through `_sendPacket`.
 */
import type { MqttClient } from 'mqtt';
import { FaultlineError } from '../../protocol/errors.js';

interface PubackPacket { cmd: 'puback'; messageId?: number }
type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

interface Held {
  messageId: number;
  committed: boolean;
  puback?: PubackPacket;
  /** false once the connection it arrived on has closed */
  live: boolean;
}

/** One message's place in its connection's acknowledgement order. */
export interface PubackTicket {
  /** The message is committed: its PUBACK may leave (after every earlier one). */
  release(): void;
}

export class PubackGate {
  private queue: Held[] = [];
  private readonly send: SendPacket;

  constructor(private readonly client: MqttClient) {
    const internal = client as unknown as { _sendPacket?: SendPacket };
    const original = internal._sendPacket;
    if (typeof original !== 'function') {
      throw new FaultlineError('FL_ERR_BROKER_SHARED_CONFIG', 'this mqtt.js has no _sendPacket: PUBACKs cannot be held until commit', {
        context: { mqttClient: client.constructor.name }, hint: 'use the mqtt version in package.json (collector/broker/puback-gate.ts depends on it)',
      });
    }
    this.send = original.bind(client);
    internal._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && this.intercept(packet as PubackPacket)) {
        cb?.();
        return;
      }
      this.send(packet, cb, ...rest);
    };
    client.on('close', () => this.forget());
  }

  /** PUBACKs held (received and not yet sent), for tests and health. */
  get held(): number {
    return this.queue.length;
  }

  /**
   * Call in customHandleAcks for a QoS 1 PUBLISH, before its `done`: the PUBACK mqtt.js then sends
   * for `messageId` is held until the ticket is released and every earlier one has left.
   */
  receive(messageId: number): PubackTicket {
    const held: Held = { messageId, committed: false, live: true };
    this.queue.push(held);
    return {
      release: () => {
        held.committed = true;
        if (held.live) this.flush();
      },
    };
  }

  private intercept(packet: PubackPacket): boolean {
    const held = this.queue.find((h) => h.messageId === packet.messageId && h.puback === undefined);
    if (held === undefined) return false;
    held.puback = packet;
    this.flush();
    return true;
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Held;
      if (!head.committed || head.puback === undefined) return;
      this.queue.shift();
      if (this.client.connected) this.send(head.puback);
    }
  }

  private forget(): void {
    for (const h of this.queue) h.live = false;
    this.queue = [];
  }
}
