/** GET /api/audit (the hash-chained audit log) and GET /api/webhooks/deliveries (the delivery log). */
import type { AuditPort, WebhookOutboxPort } from '../store/port.js';
import { DELIVERY_STATUSES } from '../store/port.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { errorResponses, literals, Nullable } from './schemas.js';
import { ActorJson } from './ticket-schemas.js';

const AuditQuery = Type.Object({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'a ticket number, an alarm site/device/code or a site' })),
  limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
}, { additionalProperties: false });
type AuditQuery = Static<typeof AuditQuery>;

const Detail = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const AuditJson = Type.Object({
  records: Type.Array(Type.Object({
    seq: Type.Integer(), atMs: Type.Number(), actor: ActorJson,
    subject: Type.Object({ kind: Type.String(), id: Type.String() }),
    action: Type.String(), from: Nullable(Type.String()), to: Nullable(Type.String()), reason: Type.String(),
    details: Type.Record(Type.String(), Detail), prevHash: Type.String(), hash: Type.String(),
  })),
});
type AuditJson = Static<typeof AuditJson>;

const DeliveryQuery = Type.Object({
  status: Type.Optional(literals(DELIVERY_STATUSES)),
  webhook: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
}, { additionalProperties: false });
type DeliveryQuery = Static<typeof DeliveryQuery>;

const DeliveriesJson = Type.Object({
  deliveries: Type.Array(Type.Object({
    id: Type.Integer(), deliveryId: Type.String(), webhookId: Type.String(), event: Type.String(), status: literals(DELIVERY_STATUSES),
    nextAttemptMs: Nullable(Type.Number()), lastError: Nullable(Type.String()), createdMs: Type.Number(), updatedMs: Type.Number(),
    attempts: Type.Array(Type.Object({
      attempt: Type.Integer(), atMs: Type.Number(),
      result: Type.Object({ kind: literals(['status', 'network-error', 'smtp'] as const), status: Type.Optional(Type.Integer()), code: Type.Optional(Type.Integer()), message: Type.Optional(Type.String()) }),
    })),
  })),
});
type DeliveriesJson = Static<typeof DeliveriesJson>;

export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditPort; webhooks: WebhookOutboxPort }): Promise<void> {

  app.get<{ Querystring: AuditQuery }>('/api/audit', {
    schema: { summary: 'audit records, oldest first (the newest `limit`), of one subject or of all', querystring: AuditQuery, response: { 200: AuditJson, ...errorResponses } },
  }, async (req): Promise<AuditJson> => ({
    records: await opts.audit.list({ limit: req.query.limit, ...(req.query.subject === undefined ? {} : { subject: req.query.subject }) }),
  }));

  app.get<{ Querystring: DeliveryQuery }>('/api/webhooks/deliveries', {
    schema: { summary: 'webhook deliveries, newest first, with every attempt', querystring: DeliveryQuery, response: { 200: DeliveriesJson, ...errorResponses } },
  }, async (req): Promise<DeliveriesJson> => ({
    deliveries: await opts.webhooks.list({
      limit: req.query.limit, ...(req.query.status === undefined ? {} : { status: req.query.status }),
      ...(req.query.webhook === undefined ? {} : { webhookId: req.query.webhook }),
    }),
  }));
}
