/**
 * JSON schemas of the HTTP API (TypeBox): the single source for validation, serialisation and
 * the TypeScript types of every route. Field names are camelCase; times are epoch milliseconds.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CATEGORIES, QUALITIES, QUALITY_REASONS, SEVERITIES, SOURCES, TRANSITIONS } from '../../protocol/values.js';
import { PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket.js';
import { SecurityHealthJson } from '../security/health-schema.js';
import { ExternalBrokerHealthFields } from '../broker/broker-health-schema.js';
import { SORT_DIRECTIONS, TICKET_SCOPES, TICKET_SORTS } from '../store/port/paging.js';

export const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Same rule as protocol/topics.ts isValidId. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    /** How to fix it, when known. */
    hint: Type.Optional(Type.String()),
    /** Every problem, for a config file that was refused. */
    problems: Type.Optional(Type.Array(Type.String())),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const SampleJson = Type.Object({
  parameter: Type.String(),
  value: Type.Number(),
  quality: literals(QUALITIES),
  timeMs: Type.Number(),
  /** Why it is not good (absent when good, and for rows stored before schema version 16). */
  reason: Type.Optional(literals(QUALITY_REASONS)),
});

export const TicketFields = {
  id: Type.Integer(),
  number: Type.String(),
  title: Type.String(),
  device: Type.String(),
  site: Type.String(),
  code: Type.String(),
  category: literals(CATEGORIES),
  severity: literals(SEVERITIES),
  priority: literals(PRIORITIES),
  priorityReason: Type.String(),
  status: literals(TICKET_STATUSES),
  faultActive: Type.Boolean(),
  occurrences: Type.Integer(),
  openedAtMs: Type.Number(),
  firstSeenMs: Type.Number(),
  lastSeenMs: Type.Number(),
  clearedAtMs: Nullable(Type.Number()),
  closedAtMs: Nullable(Type.Number()),
  remedy: Type.String(),
  adapterId: Type.String(),
};

export const EventJson = Type.Object({
  id: Type.String(),
  device: Type.String(),
  site: Type.String(),
  seq: Type.Integer(),
  timeMs: Type.Number(),
  receivedMs: Type.Number(),
  source: literals(SOURCES),
  category: literals(CATEGORIES),
  code: Type.String(),
  severity: literals(SEVERITIES),
  transition: literals(TRANSITIONS),
  message: Type.String(),
  snapshot: Type.Array(SampleJson),
  logExcerpt: Type.Array(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  adapterId: Type.String(),
  remedy: Type.String(),
  ticketId: Nullable(Type.Integer()),
});

export const TelemetryPointJson = Type.Object({
  ...SampleJson.properties,
  /** 'snapshot': sent with a fault event; 'telemetry': from the device's periodic telemetry. */
  origin: literals(['snapshot', 'telemetry'] as const),
});
export type TelemetryPointJson = Static<typeof TelemetryPointJson>;

export const TicketQuery = Type.Object({
  status: Type.Optional(literals(TICKET_STATUSES)),
  device: Type.Optional(Id),
  site: Type.Optional(Id),
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  team: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  priority: Type.Optional(literals(PRIORITIES)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  scope: Type.Optional(literals(TICKET_SCOPES)),
  sort: Type.Optional(literals(TICKET_SORTS)),
  dir: Type.Optional(literals(SORT_DIRECTIONS)),
  slaDueBeforeMs: Type.Optional(Type.Integer({ minimum: 0, description: 'only tickets whose next SLA due instant (UTC ms) is before this: due soon, or breached' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page' })),
}, { additionalProperties: false });
export type TicketQuery = Static<typeof TicketQuery>;

export const TicketParams = Type.Object({
  /** The numeric id or the ticket number (TS-YYYYMMDD-NNNN). */
  id: Type.String({ pattern: '^([1-9][0-9]{0,15}|TS-[0-9]{8}-[0-9]{4,})$' }),
});
export type TicketParams = Static<typeof TicketParams>;

const ParameterJson = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  description: Type.String(),
  writable: Type.Boolean(),
  source: literals(['modbus', 'system'] as const),
});

const AgentStatusJson = Type.Object({
  timeMs: Type.Number(),
  uptimeS: Type.Number(),
  outboxDepth: Type.Integer(),
  pollErrors: Type.Integer(),
  eventsPublished: Type.Integer(),
});

export const DeviceJson = Type.Object({
  device: Type.String(),
  site: Type.String(),
  online: Type.Boolean(),
  model: Type.String(),
  firmware: Type.String(),
  adapterId: Type.String(),
  agentVersion: Type.String(),
  sessionId: Type.String(),
  parameters: Type.Array(ParameterJson),
  lastSeenMs: Type.Number(),
  lastBirthMs: Nullable(Type.Number()),
  lastDeathMs: Nullable(Type.Number()),
  lastDeathReason: Type.String(),
  lastStatus: Nullable(AgentStatusJson),
});

export const DeviceListJson = Type.Object({
  devices: Type.Array(DeviceJson),
  total: Type.Integer({ description: 'how many devices the registry holds' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last page' })),
});
export const DeviceQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 5000, default: 5000 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page' })),
}, { additionalProperties: false });
export type DeviceQuery = Static<typeof DeviceQuery>;
export type DeviceListJson = Static<typeof DeviceListJson>;

const Count = Type.Integer({ minimum: 0 });

export const HealthJson = Type.Object({
  /** 'read-only': the store cannot write (a full disk): MQTT messages are not acknowledged, reads answer. */
  status: Type.Union([Type.Literal('ok'), Type.Literal('read-only')]),
  uptimeS: Type.Number(),
  /** 'liveness': only status and uptime (no or insufficient credentials); 'full': every part below. */
  detail: Type.Union([Type.Literal('liveness'), Type.Literal('full')]),
  broker: Type.Optional(Type.Object({
    port: Type.Integer(),
    /** Devices connected to the embedded broker (0 in external mode: the broker knows its clients). */
    clients: Count,
    ...ExternalBrokerHealthFields,
  })),
  ingest: Type.Optional(Type.Object({
    received: Type.Object({ event: Count, birth: Count, death: Count, telemetry: Count, status: Count }),
    badPayload: Count,
    wrongTopic: Count,
    duplicates: Count,
    eventsCommitted: Count,
    storeErrors: Count,
    lastErrors: Type.Array(Type.Object({ timeMs: Type.Number(), code: Type.String(), message: Type.String(), topic: Type.String() })),
    /** Receipts sent to devices after commit: messages, event ids named stored, events named refused, publishes that failed. */
    receipts: Type.Optional(Type.Object({ sent: Count, events: Count, refused: Count, failed: Count })),
  })),
  store: Type.Optional(Type.Object({ events: Count, tickets: Count })),
  /** The service desk: events it acted on, events it could not (stored without desk changes), its next timer. */
  desk: Type.Optional(Type.Object({ eventsProcessed: Count, eventErrors: Count, nextTimerMs: Nullable(Type.Number()) })),
  /** Broker authentication: its state, refusals by reason, the last refusals (never a password). */
  security: Type.Optional(SecurityHealthJson),
  /** Engineers' requests to devices over MQTT RPC (live reads, describe, logs, writes) since start. */
  deviceRequests: Type.Optional(Type.Object({
    pending: Count, sent: Count, answered: Count, failed: Count, timeouts: Count, offline: Count, lateAnswers: Count, badAnswers: Count,
    /** Cluster mode: answers to requests another collector sent. */
    otherAnswers: Type.Optional(Count),
  })),
  /**
   * Dashboards on the live stream: connected now; chunks sent, slow clients dropped, streams ended by sign-out since start;
   * and requests waiting on the ticket change feed now.
   */
  live: Type.Optional(Type.Object({ clients: Count, chunksSent: Count, clientsDropped: Count, clientsSignedOut: Count, feedWaiting: Count })),
  /**
   * Signed audit checkpoints since start: written to the checkpoint file, failed; per sink (syslog,
   * webhook), checkpoints sent and sends that failed (collector/audit/checkpointer.ts).
   */
  auditCheckpoints: Type.Optional(Type.Object({ written: Count, failed: Count, sinks: Type.Record(Type.String(), Type.Object({ sent: Count, failed: Count })) })),
  /** Whether the store takes writes; since when and why not (see ingest/write-state.ts). */
  writes: Type.Optional(Type.Object({
    writable: Type.Boolean(), sinceMs: Nullable(Type.Number()), reason: Nullable(Type.String()), code: Nullable(Type.String()), refused: Count,
  })),
});
export type HealthJson = Static<typeof HealthJson>;

/** Error replies every route may give. */
export const errorResponses = { 400: ErrorBody, 404: ErrorBody, 500: ErrorBody } as const;

/** Error replies of routes that change state (409: the action does not fit the current state). */
export const actionErrorResponses = { ...errorResponses, 409: ErrorBody } as const;
