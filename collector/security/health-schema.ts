/** The `security` part of GET /api/health (TypeBox), matching SecurityCountersSnapshot. */
import { Type, type Static } from '@sinclair/typebox';
import { REFUSAL_REASONS } from './security-counters.js';

const Count = Type.Integer({ minimum: 0 });

export const SecurityHealthJson = Type.Object({
  auth: Type.Union([Type.Literal('off'), Type.Literal('open'), Type.Literal('required')]),
  refused: Type.Object(Object.fromEntries(REFUSAL_REASONS.map((r) => [r, Count]))),
  authenticated: Count,
  lastRefusals: Type.Array(Type.Object({
    timeMs: Type.Number(),
    reason: Type.Union(REFUSAL_REASONS.map((r) => Type.Literal(r))),
    username: Type.String(),
    clientId: Type.String(),
    topic: Type.String(),
    message: Type.String(),
  })),
});
export type SecurityHealthJson = Static<typeof SecurityHealthJson>;
