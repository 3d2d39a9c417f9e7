/**
 * JSON schemas of tickets as the service desk keeps them (list, detail, action replies) and of the
 * bodies of the ticket actions. SLA clocks are shown as their status at the time of the request.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CATEGORIES, SEVERITIES } from '../../protocol/values.js';
import { FIX_KINDS, TIERS } from '../core/tickets/desk-ticket.js';
import { PRIORITIES } from '../core/tickets/ticket.js';
import { EventJson, Id, literals, Nullable, SampleJson, TelemetryPointJson, TicketFields } from './schemas.js';

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });
const OptionalText = (max: number, description: string) => Type.Optional(Type.String({ maxLength: max, description }));

export const ActorJson = Type.Object({
  kind: literals(['user', 'device', 'system'] as const), id: Type.String(),
  via: Type.Optional(Type.String({ description: 'how a user acted when not through a dashboard session, e.g. "token:wallboard"' })),
});

const ClockJson = Type.Object({
  state: literals(['running', 'paused', 'stopped'] as const),
  calendarId: Type.String(),
  targetMs: Type.Number(),
  startedMs: Type.Number(),
  stoppedMs: Nullable(Type.Number()),
  elapsedMs: Type.Number(),
  remainingMs: Type.Number(),
  /** When the breach warning is (or was) due; null while paused or if stopped before. */
  warnAtMs: Nullable(Type.Number()),
  dueMs: Nullable(Type.Number()),
  warnedAtMs: Nullable(Type.Number()),
  breachedAtMs: Nullable(Type.Number()),
  breached: Type.Boolean(),
  met: Nullable(Type.Boolean()),
});
export type ClockJson = Static<typeof ClockJson>;

export const CommentJson = Type.Object({ atMs: Type.Number(), author: ActorJson, text: Type.String(), visibility: literals(['internal', 'public'] as const) });

const StableFields = {
  ...TicketFields,
  origin: literals(['device', 'phone', 'email', 'chat', 'api'] as const),
  reporter: Type.String(),
  description: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  team: Nullable(Type.String()),
  tier: literals(TIERS),
  assignee: Nullable(Type.String()),
  requiredSkills: Type.Array(Type.String()),
  priorityOverride: Nullable(Type.Object({ by: ActorJson, atMs: Type.Number(), why: Type.String(), computed: literals(PRIORITIES) })),
  acknowledgedAtMs: Nullable(Type.Number()),
  resolvedAtMs: Nullable(Type.Number()),
  faultClearSinceMs: Nullable(Type.Number()),
  resolution: Nullable(Type.Object({ cause: Type.String(), action: Type.String(), fix: literals(FIX_KINDS), by: ActorJson, atMs: Type.Number() })),
  satisfaction: Nullable(Type.Object({ score: Type.Integer(), comment: Type.String(), by: ActorJson, atMs: Type.Number() })),
  reopenCount: Type.Integer(),
  parentId: Nullable(Type.Integer()),
  siteParent: Type.Boolean(),
  escalation: Type.Object({ count: Type.Integer(), lastAtMs: Nullable(Type.Number()), managementNotifiedAtMs: Nullable(Type.Number()) }),
};

/** A ticket's SLA clocks as their status at the time of the request. */
export const TicketSlaJson = Type.Object({ policyId: Type.String(), response: ClockJson, resolution: ClockJson });
export type TicketSlaJson = Static<typeof TicketSlaJson>;

const DeskFields = { ...StableFields, sla: TicketSlaJson, commentCount: Type.Integer() };

/** The summary fields that change only when the ticket does (not with the time of the request). */
export const TicketStableJson = Type.Object(StableFields);
export type TicketStableJson = Static<typeof TicketStableJson>;

export const TicketSummaryJson = Type.Object(DeskFields);
export type TicketSummaryJson = Static<typeof TicketSummaryJson>;

/** A ticket as an action returns it: the summary plus its comments. */
export const DeskTicketJson = Type.Object({ ...DeskFields, comments: Type.Array(CommentJson) });
export type DeskTicketJson = Static<typeof DeskTicketJson>;

export const TicketDetailJson = Type.Object({
  ...DeskFields,
  comments: Type.Array(CommentJson),
  snapshot: Type.Array(SampleJson),
  logExcerpt: Type.Array(Type.String()),
  events: Type.Array(EventJson),
  telemetry: Type.Array(TelemetryPointJson),
});
export type TicketDetailJson = Static<typeof TicketDetailJson>;

export const TicketListJson = Type.Object({
  tickets: Type.Array(TicketSummaryJson),
  total: Type.Integer({ description: 'how many tickets the filter matches, on every page' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last page' })),
});
export type TicketListJson = Static<typeof TicketListJson>;

const body = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false });

export const ManualTicketBody = body({
  origin: literals(['phone', 'email', 'chat', 'api'] as const),
  reporter: Text(200, 'who reported it'),
  title: Text(200, 'a short title'),
  description: OptionalText(10_000, 'what was reported'),
  site: Id,
  device: Type.Optional(Type.Union([Id, Type.Literal('')], { description: 'the device, when the report is about one' })),
  category: literals(CATEGORIES),
  severity: literals(SEVERITIES),
  labels: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }))),
});
export type ManualTicketBody = Static<typeof ManualTicketBody>;

export const TICKET_ACTION_BODIES = {
  ack: body({ note: OptionalText(2000, 'a note') }),
  start: body({}),
  wait: body({ reason: Text(2000, 'what the customer is asked for') }),
  resume: body({}),
  // Cause, action and fix are checked by the desk so a missing note gets its own code (FL_ERR_TICKET_RESOLUTION_REQUIRED).
  resolve: body({ cause: OptionalText(4000, 'the cause found'), action: OptionalText(4000, 'what was done'), fix: Type.Optional(literals(FIX_KINDS)) }),
  close: body({ reason: OptionalText(2000, 'why') }),
  reopen: body({ reason: Text(2000, 'why') }),
  escalate: body({ reason: Text(2000, 'why') }),
  assign: body({
    assignee: Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'a member id, or null for the team queue' })),
    team: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), tier: Type.Optional(literals(TIERS)), reason: Text(2000, 'why'),
  }),
  priority: body({ priority: literals(PRIORITIES), reason: Text(2000, 'why the priority differs from the computed one') }),
  comments: body({ text: Text(10_000, 'the comment'), visibility: Type.Optional(literals(['internal', 'public'] as const)) }),
  rating: body({ score: Type.Integer({ minimum: 1, maximum: 5 }), comment: OptionalText(2000, 'a comment') }),
  take: body({}),
} as const;

export type TicketActionRoute = keyof typeof TICKET_ACTION_BODIES;
export type TicketActionBody<K extends TicketActionRoute> = Static<(typeof TICKET_ACTION_BODIES)[K]>;
