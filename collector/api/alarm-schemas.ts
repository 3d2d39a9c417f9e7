/** JSON schemas of alarms (ISA-18.2 states), flood episodes and the operator actions' bodies. */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { CATEGORIES, SEVERITIES } from '../../protocol/values.js';
import { ALARM_STATES } from '../core/alarms/alarm-state.js';
import { PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket.js';
import type { AlarmActionName } from '../desk/alarm-actions.js';
import { Id, literals, Nullable } from './schemas.js';
import { ActorJson } from './ticket-schemas.js';

const Mark = { by: ActorJson, atMs: Type.Number(), reason: Type.String() };

export const AlarmJson = Type.Object({
  id: Type.Integer(),
  site: Type.String(),
  device: Type.String(),
  code: Type.String(),
  state: literals(ALARM_STATES),
  category: literals(CATEGORIES),
  severity: literals(SEVERITIES),
  message: Type.String(),
  active: Type.Boolean(),
  acknowledged: Type.Boolean(),
  shelved: Nullable(Type.Object({ ...Mark, untilMs: Type.Number() })),
  suppressed: Nullable(Type.Object({ ...Mark, untilMs: Nullable(Type.Number()) })),
  outOfService: Nullable(Type.Object(Mark)),
  lastRaiseMs: Nullable(Type.Number()),
  lastClearMs: Nullable(Type.Number()),
  changedAtMs: Type.Number(),
  raiseCount: Type.Integer(),
  chattering: Type.Boolean(),
  ticket: Nullable(Type.Object({
    id: Type.Integer(), number: Type.String(), priority: literals(PRIORITIES), status: literals(TICKET_STATUSES),
  }, { description: 'the ticket working this fault now (not closed), if any' })),
});
export type AlarmJson = Static<typeof AlarmJson>;

export const AlarmListJson = Type.Object({
  alarms: Type.Array(AlarmJson),
  total: Type.Integer({ description: 'how many alarms the filter matches, on every page' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last page' })),
});
export type AlarmListJson = Static<typeof AlarmListJson>;

export const AlarmQuery = Type.Object({
  site: Type.Optional(Id),
  device: Type.Optional(Id),
  state: Type.Optional(literals(ALARM_STATES)),
  severity: Type.Optional(literals(SEVERITIES)),
  active: Type.Optional(Type.Boolean()),
  chattering: Type.Optional(Type.Boolean()),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page' })),
}, { additionalProperties: false });
export type AlarmQuery = Static<typeof AlarmQuery>;

export const AlarmParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'the alarm id' }) });
export type AlarmParams = Static<typeof AlarmParams>;

export const BulkAlarmJson = Type.Object({
  changed: Type.Array(AlarmJson),
  failures: Type.Array(Type.Object({ id: Type.Integer(), alarm: Type.String(), code: Type.String(), message: Type.String() })),
});
export type BulkAlarmJson = Static<typeof BulkAlarmJson>;

export const FloodListJson = Type.Object({
  episodes: Type.Array(Type.Object({ site: Type.String(), startMs: Type.Number(), endMs: Nullable(Type.Number()), alarms: Type.Integer(), peak: Type.Integer() })),
});
export type FloodListJson = Static<typeof FloodListJson>;

export const FloodQuery = Type.Object({
  site: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
}, { additionalProperties: false });
export type FloodQuery = Static<typeof FloodQuery>;

const Reason = Type.String({ minLength: 1, maxLength: 2000, description: 'why' });

/** The body of each single-alarm action; the bulk form adds `ids`. */
export const ALARM_ACTION_BODIES: Record<AlarmActionName, TObject> = {
  ack: Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
  shelve: Type.Object({ reason: Reason, durationMinutes: Type.Number({ exclusiveMinimum: 0, description: 'how long, at most the configured maximum' }) }, { additionalProperties: false }),
  unshelve: Type.Object({ reason: Reason }, { additionalProperties: false }),
  suppress: Type.Object({ reason: Reason, untilMs: Type.Optional(Nullable(Type.Number({ description: 'when the suppression ends by itself (epoch ms); null: until unsuppressed' }))) }, { additionalProperties: false }),
  unsuppress: Type.Object({ reason: Reason }, { additionalProperties: false }),
  'out-of-service': Type.Object({ reason: Reason }, { additionalProperties: false }),
  'in-service': Type.Object({ reason: Reason }, { additionalProperties: false }),
};

export function bulkBody(single: TObject): TObject {
  return Type.Object({
    ...single.properties,
    ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, description: 'the alarm ids' }),
  }, { additionalProperties: false });
}

/** What any alarm action body may hold (each route's schema allows only its own fields). */
export interface AlarmActionBody {
  ids?: number[];
  note?: string;
  reason?: string;
  durationMinutes?: number;
  untilMs?: number | null;
}
