/**
 * An alarm's operator extras: POST /api/alarms/:id/ack-with-ticket acknowledges the alarm and the
 * ticket working its fault in one step (the operator saw and chose that ticket; each records the
 * other), and POST /api/alarms/:id/comments adds a comment to the alarm's timeline (an audit
 * record on the alarm, so it shows in its history and the trail).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { alarmId } from '../core/alarms/alarm-state.js';
import { auditRecord } from '../core/desk/audit-record.js';
import type { DeskService } from '../desk/desk-service.js';
import type { QueryPort } from '../store/port.js';
import { actorOf } from './actor.js';
import { AlarmJson, AlarmParams } from './alarm-schemas.js';
import { alarmView } from './alarm-view.js';
import { apiError } from './api-errors.js';
import { TicketSummaryJson } from './ticket-schemas.js';
import { ticketSummary } from './ticket-view.js';
import { actionErrorResponses } from './schemas.js';

export const AckWithTicketBody = Type.Object({
  ticketId: Type.Integer({ minimum: 1, description: 'the ticket shown with the alarm (it must work the alarm\'s fault)' }),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });
export type AckWithTicketBody = Static<typeof AckWithTicketBody>;

export const AckWithTicketJson = Type.Object({ alarm: AlarmJson, ticket: TicketSummaryJson });
export type AckWithTicketJson = Static<typeof AckWithTicketJson>;

export const AlarmCommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type AlarmCommentBody = Static<typeof AlarmCommentBody>;
export const AlarmCommentJson = Type.Object({ atMs: Type.Number(), by: Type.String(), text: Type.String() });
export type AlarmCommentJson = Static<typeof AlarmCommentJson>;

export interface AlarmTicketRoutesOptions {
  desk: DeskService;
  store: QueryPort;
  now: () => number;
}

export async function alarmTicketRoutes(app: FastifyInstance, opts: AlarmTicketRoutesOptions): Promise<void> {
  const { desk, store, now } = opts;
  const alarmJson = alarmView(store);

  app.post<{ Params: AlarmParams; Body: AckWithTicketBody }>('/api/alarms/:id/ack-with-ticket', {
    schema: {
      summary: 'acknowledge an alarm and the ticket working its fault in one step (both or neither; each records the other)',
      params: AlarmParams, body: AckWithTicketBody, response: { 200: AckWithTicketJson, ...actionErrorResponses },
    },
  }, async (req): Promise<AckWithTicketJson> => {
    const done = await desk.ackAlarmAndTicket(Number(req.params.id), req.body.ticketId, req.body.note ?? '', actorOf(req));
    return { alarm: await alarmJson(done.alarm), ticket: ticketSummary(done.ticket, desk.settings().calendars, now()) };
  });

  app.post<{ Params: AlarmParams; Body: AlarmCommentBody }>('/api/alarms/:id/comments', {
    schema: {
      summary: 'comment on an alarm (audited; shown in its timeline and the alarm history)',
      params: AlarmParams, body: AlarmCommentBody, response: { 201: AlarmCommentJson, ...actionErrorResponses },
    },
  }, async (req, reply): Promise<AlarmCommentJson> => {
    const found = await store.alarm(Number(req.params.id));
    if (!found) throw apiError('FL_ERR_API_NOT_FOUND', `no alarm ${req.params.id}`, { alarm: req.params.id });
    const actor = actorOf(req);
    const atMs = now();
    const text = req.body.text.trim();
    await desk.appendAudit([auditRecord(atMs, actor, { kind: 'alarm', id: alarmId(found.alarm.key) }, 'comment', { reason: text })]);
    void reply.code(201);
    return { atMs, by: actor.id, text };
  });
}
