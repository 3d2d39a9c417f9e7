/** GET /api/audit (the hash-chained audit log) and GET /api/webhooks/deliveries (the delivery log). */
import type { AuditPort, WebhookOutboxPort } from '../store/port.js';
import { DELIVERY_STATUSES } from '../store/port.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { decodeCursor, encodeCursor } from './page-cursor.js';
import { errorResponses, literals, Nullable } from './schemas.js';
import { ActorJson } from './ticket-schemas.js';
import { DeliveryJson } from './webhook-schemas.js';

const AuditQuery = Type.Object({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'a ticket number, an alarm site/device/code or a site' })),
  limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page (older records)' })),
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
  total: Type.Integer({ description: 'how many records match, on every page' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next (older) page; null on the last page' })),
});
type AuditJson = Static<typeof AuditJson>;

const DeliveryQuery = Type.Object({
  status: Type.Optional(literals(DELIVERY_STATUSES)),
  webhook: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page (older deliveries)' })),
}, { additionalProperties: false });
type DeliveryQuery = Static<typeof DeliveryQuery>;

const DeliveriesJson = Type.Object({
  deliveries: Type.Array(DeliveryJson),
  total: Type.Integer({ description: 'how many deliveries match, on every page' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next (older) page; null on the last page' })),
});
type DeliveriesJson = Static<typeof DeliveriesJson>;

export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditPort; webhooks: WebhookOutboxPort }): Promise<void> {

  app.get<{ Querystring: AuditQuery }>('/api/audit', {
    schema: { summary: 'one page of audit records, oldest first (the newest `limit` before the cursor), of one subject or of all, with the total', querystring: AuditQuery, response: { 200: AuditJson, ...errorResponses } },
  }, async (req): Promise<AuditJson> => {
    const { cursor, subject, limit } = req.query;
    const before = cursor === undefined ? undefined : Number(decodeCursor(cursor, 'seq', 'desc', true).value);
    const page = await opts.audit.page({ limit, ...(subject === undefined ? {} : { subject }), ...(before === undefined ? {} : { before }) });
    return { records: page.records, total: page.total, nextCursor: encodeCursor('seq', 'desc', page.before === null ? null : { value: page.before, id: page.before }) };
  });

  app.get<{ Querystring: DeliveryQuery }>('/api/webhooks/deliveries', {
    schema: { summary: 'one page of webhook deliveries, newest first, with every attempt, the total and the cursor of the next page', querystring: DeliveryQuery, response: { 200: DeliveriesJson, ...errorResponses } },
  }, async (req): Promise<DeliveriesJson> => {
    const { cursor, limit, status, webhook } = req.query;
    const filter = { ...(status === undefined ? {} : { status }), ...(webhook === undefined ? {} : { webhookId: webhook }) };
    const beforeId = cursor === undefined ? undefined : decodeCursor(cursor, 'id', 'desc', true).id;
    const [rows, total] = await Promise.all([
      opts.webhooks.list({ ...filter, limit: limit + 1, ...(beforeId === undefined ? {} : { beforeId }) }), opts.webhooks.count(filter),
    ]);
    const deliveries = rows.slice(0, limit);
    const last = deliveries[deliveries.length - 1];
    return { deliveries, total, nextCursor: encodeCursor('id', 'desc', rows.length > limit && last ? { value: last.id, id: last.id } : null) };
  });
}
