/**
 * The broker's authorizePublish hook, where the ACL check and ingest happen. aedes sends the QoS 1
 * PUBACK after this hook calls back and before delivering to subscribers
 * (aedes/lib/handlers/publish.js), so calling back only once the message is committed makes the
 * acknowledgement mean "stored".
 *
 * - `$SYS/…` is refused, as aedes does by default.
 * - the publish check (the ACL, when security hooks are given) runs next; a refusal fails the
 *   hook, which closes the connection (MQTT 3.1.1 has no negative PUBACK), so nothing refused is
 *   ever acknowledged.
 * - `fl/v1/…` goes to ingest: bad input is counted and dropped by ingest (acknowledged, so it is
 *   not redelivered forever); a store failure fails the hook, aedes drops the connection and the
 *   client redelivers later.
 * - anything else passes through unprocessed.
 * A client of null is a will aedes publishes for a session it no longer holds; it is ingested
 * too (its topic was checked when the client connected).
 */
import type { AedesOptions, Client, PublishPacket } from 'aedes';
import type { Logger } from '../../protocol/logger.js';

export type IngestHandler = (topic: string, payload: Uint8Array, clientId: string | null) => Promise<void>;

export type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/** Returns an Error saying why a publish is refused, or null to let it through. Counts and logs itself. */
export type PublishCheck = (client: Client | null, topic: string) => Error | null;

const SYS_PREFIX = '$SYS/';
const INGEST_PREFIX = 'fl/v1/';

function payloadBytes(payload: PublishPacket['payload']): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

export function createPublishGate(ingest: IngestHandler, log: Logger, check?: PublishCheck): AuthorizePublish {
  return (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void => {
    if (packet.topic.startsWith(SYS_PREFIX)) {
      callback(new Error(`${SYS_PREFIX} topic is reserved`));
      return;
    }
    const refused = check?.(client, packet.topic) ?? null;
    if (refused) {
      callback(refused);
      return;
    }
    if (!packet.topic.startsWith(INGEST_PREFIX)) {
      callback(null);
      return;
    }
    const clientId = client?.id ?? null;
    ingest(packet.topic, payloadBytes(packet.payload), clientId).then(
      () => callback(null),
      (err: unknown) => {
        // ingest logged the failure (once per read-only spell, not per message)
        log.debug({ topic: packet.topic, clientId }, 'publish refused: not stored; closing the connection so the client redelivers');
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };
}
