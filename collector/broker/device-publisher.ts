/**
 * What the collector sends to devices (RPC requests; delivery receipts after commit), whichever
 * broker carries it: the embedded one (MqttBroker publishes into aedes directly) or an external
 * MQTT 5 broker (the collector's own connection, ExternalConnection / RpcClient). Callers see one
 * interface; a publish that cannot be handed to the broker rejects with FL_ERR_BROKER_PUBLISH.
 */
import type { MqttClient } from 'mqtt';
import { FaultlineError } from '../../protocol/errors.js';

export type DeviceQos = 0 | 1;

export interface DevicePublisher {
  /** Resolves once the broker took the message (QoS 1: PUBACK; QoS 0: written to the connection). */
  publish(topic: string, payload: Uint8Array, qos: DeviceQos): Promise<void>;
}

export function publishError(topic: string, why: string, cause?: unknown): FaultlineError {
  return new FaultlineError('FL_ERR_BROKER_PUBLISH', `cannot publish to ${topic}: ${why}`, {
    context: { topic }, ...(cause === undefined ? {} : { cause }),
    hint: 'check the collector\'s connection to the broker (/api/health, broker part) and the broker user\'s publish rights',
  });
}

/** A DevicePublisher over an mqtt.js client (the current one: it may be replaced on restart). */
export function clientPublisher(client: () => MqttClient | undefined): DevicePublisher {
  return {
    publish(topic, payload, qos) {
      const c = client();
      if (!c?.connected) return Promise.reject(publishError(topic, 'not connected to the broker'));
      return new Promise<void>((resolve, reject) => {
        c.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos }, (err) => {
          if (err) reject(publishError(topic, err.message, err));
          else resolve();
        });
      });
    },
  };
}
