/** The webhook delivery log's JSON (GET /api/webhooks/deliveries, POST …/:id/resend); the dashboard reads the type too. */
import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_STATUSES } from '../store/port/desk-repo.js';
import { literals, Nullable } from './schemas.js';

/** One delivery with every attempt (also the answer of POST /api/webhooks/deliveries/:id/resend). */
export const DeliveryJson = Type.Object({
  id: Type.Integer(), deliveryId: Type.String(), webhookId: Type.String(), event: Type.String(), status: literals(DELIVERY_STATUSES),
  nextAttemptMs: Nullable(Type.Number()), lastError: Nullable(Type.String()), createdMs: Type.Number(), updatedMs: Type.Number(),
  attempts: Type.Array(Type.Object({
    attempt: Type.Integer(), atMs: Type.Number(),
    result: Type.Object({ kind: literals(['status', 'network-error', 'smtp'] as const), status: Type.Optional(Type.Integer()), code: Type.Optional(Type.Integer()), message: Type.Optional(Type.String()) }),
  })),
});

export type DeliveryJson = Static<typeof DeliveryJson>;
