/**
 * Turns (topic, payload) into a validated IngestMessage, or throws a FaultlineError saying
 * what is wrong and where. The topic decides the message type; the payload's own device and
 * site must match the topic's (a device may only speak for itself).
 */
import {
  decodeBirth, decodeDeath, decodeFaultEvent, decodeStatus, decodeTelemetry,
} from '../../protocol/codec.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { TopicAddress } from '../../protocol/topics.js';
import type { IngestKind, IngestMessage } from '../core/devices/ingest-message.js';
import type { BadInputCounter } from './counters.js';

/** Longest event id and fault code accepted; longer ones are a sender bug. */
export const MAX_ID_LENGTH = 128;

export function isIngestKind(kind: TopicAddress['kind']): kind is IngestKind {
  return kind !== 'rpc/req' && kind !== 'rpc/res' && kind !== 'receipt';
}

function checkOrigin(address: TopicAddress, payload: { site: string; device: string }, topic: string): void {
  if (payload.site !== address.site || payload.device !== address.device) {
    throw new FaultlineError('FL_ERR_INGEST_WRONG_TOPIC',
      `payload is from ${payload.site}/${payload.device} but was published on ${topic}`, {
        context: { topic, payloadSite: payload.site, payloadDevice: payload.device },
        hint: `publish on fl/v1/${payload.site}/${payload.device}/${address.kind}`,
      });
  }
}

function tooLong(field: string, value: string): never {
  throw new FaultlineError('FL_ERR_PROTO_INVALID', `invalid ${field}: longer than ${MAX_ID_LENGTH} characters`, {
    context: { field, length: value.length },
  });
}

/** Decodes a payload whose topic has already been parsed. */
export function decodeMessage(address: TopicAddress & { kind: IngestKind }, topic: string, payload: Uint8Array, receivedMs: number): IngestMessage {
  switch (address.kind) {
    case 'event': {
      const event = decodeFaultEvent(payload);
      checkOrigin(address, event, topic);
      if (event.id.length > MAX_ID_LENGTH) tooLong('FaultEvent.id', event.id);
      if (event.code.length > MAX_ID_LENGTH) tooLong('FaultEvent.code', event.code);
      // A device without a clock still reports faults: place the event at its arrival.
      if (event.timeMs <= 0) event.timeMs = receivedMs;
      return { kind: 'event', receivedMs, event };
    }
    case 'birth': {
      const birth = decodeBirth(payload);
      checkOrigin(address, birth, topic);
      return { kind: 'birth', receivedMs, birth };
    }
    case 'death': {
      const death = decodeDeath(payload);
      checkOrigin(address, death, topic);
      return { kind: 'death', receivedMs, death };
    }
    case 'telemetry': {
      const telemetry = decodeTelemetry(payload);
      checkOrigin(address, telemetry, topic);
      return { kind: 'telemetry', receivedMs, telemetry };
    }
    case 'status': {
      const status = decodeStatus(payload);
      checkOrigin(address, status, topic);
      return { kind: 'status', receivedMs, status };
    }
  }
}

/** Which counter a bad-input error belongs to. */
export function badInputCounter(err: FaultlineError): BadInputCounter {
  return err.code === 'FL_ERR_TOPIC_MALFORMED' || err.code === 'FL_ERR_INGEST_WRONG_TOPIC' ? 'wrongTopic' : 'badPayload';
}
