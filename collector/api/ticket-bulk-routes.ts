/**
 * POST /api/tickets/bulk/{ack|assign|close}: one action on several tickets (the ticket table's bulk
 * actions). Each ticket is audited on its own; a ticket the action does not fit is listed in
 * `failures` with its code, and the others go ahead.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DeskService } from '../desk/desk-service.js';
import type { TicketAction } from '../desk/ticket-actions.js';
import { actorOf } from './actor.js';
import { BULK_TICKET_ACTIONS } from './route-roles.js';
import { errorResponses } from './schemas.js';
import { TICKET_ACTION_BODIES, TicketSummaryJson } from './ticket-schemas.js';
import { ticketSummary } from './ticket-view.js';

type BulkAction = (typeof BULK_TICKET_ACTIONS)[number];

const bulkOf = (single: TObject) => Type.Object({
  ...single.properties,
  ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, description: 'the ticket ids' }),
}, { additionalProperties: false });

const BulkTicketJson = Type.Object({
  changed: Type.Array(TicketSummaryJson),
  failures: Type.Array(Type.Object({ id: Type.Integer(), number: Type.String(), code: Type.String(), message: Type.String() })),
});
type BulkTicketJson = Static<typeof BulkTicketJson>;

interface AnyBulkBody { ids: number[]; note?: string; reason?: string; assignee?: string | null; team?: string; tier?: 'L1' | 'L2' | 'L3' }

function toAction(action: BulkAction, b: AnyBulkBody): TicketAction {
  switch (action) {
    case 'ack': return { type: 'ack', note: b.note ?? '' };
    case 'close': return { type: 'close', reason: b.reason ?? '' };
    case 'assign': return {
      type: 'assign', assignee: b.assignee ?? null, reason: b.reason ?? '',
      ...(b.team === undefined ? {} : { team: b.team }), ...(b.tier === undefined ? {} : { tier: b.tier }),
    };
  }
}

export async function ticketBulkRoutes(app: FastifyInstance, opts: { desk: DeskService; now: () => number }): Promise<void> {
  for (const action of BULK_TICKET_ACTIONS) {
    app.post<{ Body: AnyBulkBody }>(`/api/tickets/bulk/${action}`, {
      schema: {
        summary: `${action} several tickets; each it does not fit is reported in failures`,
        body: bulkOf(TICKET_ACTION_BODIES[action]), response: { 200: BulkTicketJson, ...errorResponses },
      },
    }, async (req): Promise<BulkTicketJson> => {
      const r = await opts.desk.bulkTicketAction(req.body.ids, toAction(action, req.body), actorOf(req));
      const nowMs = opts.now();
      const calendars = opts.desk.settings().calendars;
      return { changed: r.changed.map((t) => ticketSummary(t, calendars, nowMs)), failures: r.failures };
    });
  }
}
