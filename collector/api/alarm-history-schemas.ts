/** JSON schemas of the alarm history (GET /api/alarms/history): its filters, a transition, a page. */
import { Type, type Static } from '@sinclair/typebox';
import { ALARM_STATES } from '../core/alarms/alarm-state.js';
import { PRIORITIES } from '../core/tickets/ticket.js';
import { Id, literals, Nullable } from './schemas.js';

/** The alarm transitions the desk records, and operators' comments. */
export const ALARM_TRANSITIONS = [
  'raise', 'clear', 'acknowledge', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'remove-from-service', 'return-to-service', 'comment',
] as const;

export const AlarmHistoryQuery = Type.Object({
  site: Type.Optional(Id),
  device: Type.Optional(Id),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** The state the alarm moved to. */
  state: Type.Optional(literals(ALARM_STATES)),
  transition: Type.Optional(literals(ALARM_TRANSITIONS)),
  /** The priority of the alarm now (its working ticket's, else its severity's). */
  priority: Type.Optional(literals(PRIORITIES)),
  fromMs: Type.Optional(Type.Integer({ minimum: 0 })),
  toMs: Type.Optional(Type.Integer({ minimum: 0 })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words in the alarm id, the reason or who acted' })),
  cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'nextCursor of the previous page' })),
  limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  format: Type.Optional(literals(['json', 'csv'] as const)),
}, { additionalProperties: false });
export type AlarmHistoryQuery = Static<typeof AlarmHistoryQuery>;

export const AlarmTransitionJson = Type.Object({
  seq: Type.Integer(),
  atMs: Type.Number(),
  site: Type.String(),
  device: Type.String(),
  code: Type.String(),
  transition: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  by: Type.String(),
  byKind: Type.String(),
  reason: Type.String(),
});
export type AlarmTransitionJson = Static<typeof AlarmTransitionJson>;

export const AlarmHistoryJson = Type.Object({
  transitions: Type.Array(AlarmTransitionJson),
  /** Pass as `cursor` for the next (older) page; null: this was the last. */
  nextCursor: Nullable(Type.String()),
});
export type AlarmHistoryJson = Static<typeof AlarmHistoryJson>;
