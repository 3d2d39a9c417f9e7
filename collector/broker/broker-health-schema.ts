/** The broker part of GET /api/health beyond port and clients (TypeBox): which broker, and cluster mode's subscriber. */
import { Type, type Static } from '@sinclair/typebox';

const Count = Type.Integer({ minimum: 0 });

export const SubscriberHealthJson = Type.Object({
  /** The share group: `$share/<group>/fl/v1/+/+/<kind>`. */
  group: Type.String(),
  /** Members of the group this collector holds, and how many are connected now. */
  connections: Count,
  connected: Count,
  /** Messages handed to ingest and not yet acknowledged (awaiting commit). */
  inFlight: Count,
  /** Messages committed and acknowledged since start. */
  acknowledged: Count,
  /** Handler failures (each retried while its acknowledgement is held) and connection errors since start. */
  handlerErrors: Count,
  connectionErrors: Count,
});
export type SubscriberHealthJson = Static<typeof SubscriberHealthJson>;

export const ExternalBrokerHealthFields = {
  /** embedded: aedes inside the collector; external: an MQTT 5 broker (cluster mode). */
  mode: Type.Optional(Type.Union([Type.Literal('embedded'), Type.Literal('external')])),
  /** The external broker's URL (never with a user or password). */
  url: Type.Optional(Type.String()),
  /** This collector's client id prefix on the external broker. */
  clientIdPrefix: Type.Optional(Type.String()),
  subscriber: Type.Optional(SubscriberHealthJson),
};
