/** JSON schemas of the knowledge-base routes (TypeBox): validation, serialisation and types from one source. */
import { Type, type Static } from '@sinclair/typebox';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const EntryId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' });
const TicketId = Type.String({ pattern: '^([1-9][0-9]{0,15}|TS-[0-9]{8}-[0-9]{4,})$' });

export const KbEntryJson = Type.Object({
  id: Type.Integer(),
  modelPattern: Type.String(),
  code: Type.String(),
  title: Type.String(),
  symptoms: Type.String(),
  diagnosis: Type.Array(Type.String()),
  remedy: Type.String(),
  reviewed: Type.Boolean(),
  reviewedBy: Type.Union([Type.String(), Type.Null()]),
  reviewedAtMs: Type.Union([Type.Number(), Type.Null()]),
  source: Type.String(),
  fixes: Type.Integer({ minimum: 0 }),
  createdAtMs: Type.Number(),
  updatedAtMs: Type.Number(),
});

export const KbListJson = Type.Object({ entries: Type.Array(KbEntryJson) });
export type KbListJson = Static<typeof KbListJson>;

export const KbDetailJson = Type.Object({
  ...KbEntryJson.properties,
  fixedTickets: Type.Array(Type.Object({ ticketId: Type.Integer(), atMs: Type.Number() })),
});
export type KbDetailJson = Static<typeof KbDetailJson>;

export const KbQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  reviewed: Type.Optional(Type.Boolean()),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
}, { additionalProperties: false });
export type KbQuery = Static<typeof KbQuery>;

export const KbParams = Type.Object({ id: EntryId });
export type KbParams = Static<typeof KbParams>;

export const KbTicketParams = Type.Object({ id: TicketId });
export type KbTicketParams = Static<typeof KbTicketParams>;

/** POST /api/kb: without id a new entry; with id an update of that entry (which then needs review again). */
export const KbWriteBody = Type.Object({
  id: Type.Optional(Type.Integer({ minimum: 1 })),
  modelPattern: Type.String({ maxLength: 200, default: '' }),
  code: Text(128),
  title: Text(200),
  symptoms: Type.String({ maxLength: 4000, default: '' }),
  diagnosis: Type.Array(Text(1000), { maxItems: 50, default: [] }),
  remedy: Text(4000),
}, { additionalProperties: false });
export type KbWriteBody = Static<typeof KbWriteBody>;

export const KbReviewBody = Type.Object({
  reviewer: Text(100),
  /** false withdraws a review. */
  reviewed: Type.Boolean({ default: true }),
}, { additionalProperties: false });
export type KbReviewBody = Static<typeof KbReviewBody>;

export const KbFixBody = Type.Object({ ticket: TicketId }, { additionalProperties: false });
export type KbFixBody = Static<typeof KbFixBody>;

export const KbLearnBody = Type.Object({
  entryId: Type.Optional(Type.Integer({ minimum: 1 })),
  cause: Type.Optional(Text(2000)),
  action: Type.Optional(Text(2000)),
  fix: Type.Optional(Type.Union([Type.Literal('workaround'), Type.Literal('permanent')])),
}, { additionalProperties: false });
export type KbLearnBody = Static<typeof KbLearnBody>;

export const KbLearnedJson = Type.Object({ created: Type.Boolean(), entry: KbEntryJson });
export type KbLearnedJson = Static<typeof KbLearnedJson>;

export const KbFixJson = Type.Object({ credited: Type.Boolean(), entry: KbEntryJson });
export type KbFixJson = Static<typeof KbFixJson>;

export const KbSuggestionsJson = Type.Object({
  ticket: Type.Object({ id: Type.Integer(), number: Type.String(), code: Type.String(), model: Type.String() }),
  suggestions: Type.Array(Type.Object({ rank: Type.Integer(), reason: Type.String(), entry: KbEntryJson })),
});
export type KbSuggestionsJson = Static<typeof KbSuggestionsJson>;
