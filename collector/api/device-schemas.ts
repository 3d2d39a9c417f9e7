/**
 * JSON schemas (TypeBox) of the device routes: one device in detail, live reads, describe, logs,
 * signed writes (collector/api/device-routes.ts) and device credentials with their write keys
 * (collector/api/admin-device-routes.ts). The front end codes against these types.
 * Times are epoch milliseconds; errors are the API's ErrorBody ({ error: { code, message, hint?, problems? } }).
 */
import { Type, type Static } from '@sinclair/typebox';
import { QUALITIES, QUALITY_REASONS } from '../../protocol/values.js';
import { DeviceJson, ErrorBody, Id, Nullable, literals } from './schemas.js';

const Count = Type.Integer({ minimum: 0 });

/** Path of every per-device route: /api/devices/:site/:device… */
export const DeviceParams = Type.Object({ site: Id, device: Id });
export type DeviceParams = Static<typeof DeviceParams>;

/** A parameter name as the adapter names it. */
export const ParameterName = Type.String({ minLength: 1, maxLength: 128 });

/** How long the collector waits for the agent's answer; default 5000, at most 30000. */
export const TimeoutMs = Type.Integer({ minimum: 100, maximum: 30_000, description: 'wait at most this long for the device (default 5000)' });

// ---------------------------------------------------------------- GET /api/devices/:site/:device

/** One entry of the device's parameter catalogue, from its last birth; min/max: a writable parameter's range (a write outside it is refused). */
export const CatalogueEntryJson = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  description: Type.String(),
  writable: Type.Boolean(),
  source: literals(['modbus', 'system'] as const),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
});
export type CatalogueEntryJson = Static<typeof CatalogueEntryJson>;

/** What the device's last birth said about itself. */
export const BirthInfoJson = Type.Object({
  adapterId: Type.String(),
  model: Type.String(),
  firmware: Type.String(),
  agentVersion: Type.String(),
  sessionId: Type.String(),
  /** When the collector received the birth. */
  atMs: Type.Number(),
});
export type BirthInfoJson = Static<typeof BirthInfoJson>;

/** The agent's last status message, every counter. */
export const AgentStatusDetailJson = Type.Object({
  timeMs: Type.Number(),
  uptimeS: Type.Number(),
  outboxDepth: Count,
  outboxEvents: Count,
  outboxTelemetry: Count,
  outboxStatus: Count,
  outboxBytes: Count,
  pollErrors: Count,
  eventsPublished: Count,
  evictedEvents: Count,
  evictedTelemetry: Count,
  evictedStatus: Count,
  drops: Count,
  connects: Count,
  disconnects: Count,
  resent: Count,
  rejected: Count,
  /** Registers the device answered with a Modbus exception: not polled, re-probed (absent from older agents' status). */
  /** The agent's own counters (absent from older agents' status). */
  polls: Type.Optional(Count),
  pollTimeouts: Type.Optional(Count),
  pollExceptions: Type.Optional(Count),
  pollLinkErrors: Type.Optional(Count),
  outboxOldestAgeS: Type.Optional(Type.Number()),
  logLinesClipped: Type.Optional(Count),
  /** Fault events the broker refused, kept in the agent's outbox to be sent again (absent from older agents' status). */
  deadLetters: Type.Optional(Count),
  /** Receipts: events the broker acknowledged but no collector receipted yet, events deleted on a receipt, resends for lack of one (absent from older agents' status). */
  unreceipted: Type.Optional(Count),
  receipted: Type.Optional(Count),
  resentUnreceipted: Type.Optional(Count),
  /** Of `rejected`: telemetry batches and status messages the broker refused (removed, not resent; absent from older agents' status). */
  rejectedTelemetry: Type.Optional(Count),
  rejectedStatus: Type.Optional(Count),
  unsupported: Type.Optional(Type.Array(Type.Object({ parameter: Type.String(), exceptionCode: Count, sinceMs: Type.Number() }))),
});
export type AgentStatusDetailJson = Static<typeof AgentStatusDetailJson>;

export const DeviceDetailJson = Type.Object({
  ...DeviceJson.properties,
  /** Connected right now: the broker holds the device's MQTT session (the registry's birth/death state when the broker cannot tell). */
  online: Type.Boolean(),
  /** The registry's view (birth seen, no death since), which can lag a dropped connection by the keep-alive. */
  registryOnline: Type.Boolean(),
  birth: Nullable(BirthInfoJson),
  catalogue: Type.Array(CatalogueEntryJson),
  status: Nullable(AgentStatusDetailJson),
  /** Alarms of this device not in the normal state. */
  openAlarms: Count,
  /** The collector holds a write key for the device, so it can sign writes. */
  writeKey: Type.Boolean(),
});
export type DeviceDetailJson = Static<typeof DeviceDetailJson>;

// ---------------------------------------------------------------- live read, describe, logs, write

export const LiveBody = Type.Object({
  /** Absent or empty: every readable parameter. */
  names: Type.Optional(Type.Array(ParameterName, { maxItems: 256, uniqueItems: true })),
  timeoutMs: Type.Optional(TimeoutMs),
}, { additionalProperties: false });
export type LiveBody = Static<typeof LiveBody>;

export const LiveValueJson = Type.Object({
  name: Type.String(),
  value: Type.Number(),
  /** Set for text parameters (a serial number…); value is then 0. */
  text: Type.Optional(Type.String()),
  /** From the catalogue; '' when the parameter is not in it. */
  unit: Type.String(),
  quality: literals(QUALITIES),
  /** Why the value is not good (absent when good, and from older agents). */
  reason: Type.Optional(literals(QUALITY_REASONS)),
  /** When the device read it. */
  timeMs: Type.Number(),
});
export type LiveValueJson = Static<typeof LiveValueJson>;

export const LiveJson = Type.Object({
  values: Type.Array(LiveValueJson),
  requestedAtMs: Type.Number(),
  answeredAtMs: Type.Number(),
});
export type LiveJson = Static<typeof LiveJson>;

export const DescribeBody = Type.Object({ timeoutMs: Type.Optional(TimeoutMs) }, { additionalProperties: false });
export type DescribeBody = Static<typeof DescribeBody>;

export const DescribeJson = Type.Object({
  device: Type.String(),
  site: Type.String(),
  adapterId: Type.String(),
  model: Type.String(),
  firmware: Type.String(),
  agentVersion: Type.String(),
  sessionId: Type.String(),
  catalogue: Type.Array(CatalogueEntryJson),
  requestedAtMs: Type.Number(),
  answeredAtMs: Type.Number(),
});
export type DescribeJson = Static<typeof DescribeJson>;

export const LogsBody = Type.Object({
  /** The last N lines of the device's followed log files. */
  lines: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  timeoutMs: Type.Optional(TimeoutMs),
}, { additionalProperties: false });
export type LogsBody = Static<typeof LogsBody>;

export const LogsJson = Type.Object({
  /** Newest last. */
  lines: Type.Array(Type.String()),
  requestedAtMs: Type.Number(),
  answeredAtMs: Type.Number(),
});
export type LogsJson = Static<typeof LogsJson>;

export const WriteBody = Type.Object({
  values: Type.Array(Type.Object({ name: ParameterName, value: Type.Number() }, { additionalProperties: false }), { minItems: 1, maxItems: 64 }),
  /** Must be true: a write changes a running machine. Without it the write is refused (400 FL_ERR_DEVICE_WRITE_UNCONFIRMED). */
  confirm: Type.Optional(Type.Boolean()),
  timeoutMs: Type.Optional(TimeoutMs),
}, { additionalProperties: false });
export type WriteBody = Static<typeof WriteBody>;

/**
 * After a write: its outcome and the written parameters read back fresh from the device. 200 with
 * outcome applied; 202 with outcome unknown (the device answered neither the write nor a
 * read-back: it may still apply it; `message` says so). Not applied is an error status.
 */
export const WriteJson = Type.Object({
  ...LiveJson.properties,
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('unknown')]),
  message: Type.Optional(Type.String()),
});
export type WriteJson = Static<typeof WriteJson>;

// ---------------------------------------------------------------- /api/admin/devices

export const AddDeviceBody = Type.Object({
  site: Id,
  device: Id,
  /** Replace (rotate) an existing credential and write key. Without it an existing device is a 409. */
  replace: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type AddDeviceBody = Static<typeof AddDeviceBody>;

/** Shown once: nothing can read the password or the write key back. Put them in the agent config as username, password, writeKey. */
export const IssuedDeviceJson = Type.Object({
  site: Type.String(),
  device: Type.String(),
  username: Type.String(),
  password: Type.String(),
  writeKey: Type.String(),
  replaced: Type.Boolean(),
});
export type IssuedDeviceJson = Static<typeof IssuedDeviceJson>;

export const CredentialJson = Type.Object({
  username: Type.String(),
  kind: literals(['device', 'service'] as const),
  site: Nullable(Type.String()),
  device: Nullable(Type.String()),
  name: Nullable(Type.String()),
  createdMs: Type.Number(),
  rotatedMs: Nullable(Type.Number()),
  revokedMs: Nullable(Type.Number()),
  /** A write key is stored for the device (never shown). */
  writeKey: Type.Boolean(),
});
export type CredentialJson = Static<typeof CredentialJson>;

export const CredentialListJson = Type.Object({ credentials: Type.Array(CredentialJson) });
export type CredentialListJson = Static<typeof CredentialListJson>;

export const RevokedJson = Type.Object({ revoked: Type.Literal(true), username: Type.String() });
export type RevokedJson = Static<typeof RevokedJson>;

// ---------------------------------------------------------------- errors

/**
 * Error replies of the device routes: 400 bad input or a write without confirm, 404 unknown device,
 * 409 no write key / the device refused the signature, 422 unknown or read-only parameter (named in
 * `problems`), 502 the device (Modbus) did not answer the agent, 503 device offline or RPC
 * unavailable, 504 no answer within the timeout.
 */
export const deviceRpcErrorResponses = {
  400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 500: ErrorBody, 502: ErrorBody, 503: ErrorBody, 504: ErrorBody,
} as const;
