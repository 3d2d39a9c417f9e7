/** The contract of GET /api/events: stored fault events, newest received first, one page at a time. */
import { Type, type Static } from '@sinclair/typebox';
import { EventJson, Id, Nullable } from './schemas.js';

export const EventQuery = Type.Object({
  site: Type.Optional(Id),
  device: Type.Optional(Id),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  ticketId: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page' })),
}, { additionalProperties: false });
export type EventQuery = Static<typeof EventQuery>;

export const EventListJson = Type.Object({
  events: Type.Array(EventJson),
  total: Type.Integer({ description: 'how many stored events the filter matches' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last page' })),
});
export type EventListJson = Static<typeof EventListJson>;
