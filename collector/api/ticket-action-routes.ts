/**
 * Working tickets: POST /api/tickets (a manual ticket: phone, e-mail, chat, API) and
 * POST /api/tickets/:id/{ack|start|wait|resume|resolve|close|reopen|escalate|assign|priority|comments|rating|take}.
 * Each returns the ticket after the action; the rules are the core's.
 */
import type { FastifyInstance } from 'fastify';
import type { DeskService } from '../desk/desk-service.js';
import type { TicketAction } from '../desk/ticket-actions.js';
import { actorOf } from './actor.js';
import { emptyBodyAsObject } from './empty-body.js';
import { actionErrorResponses, TicketParams } from './schemas.js';
import { ticketRef } from './ticket-routes.js';
import {
  DeskTicketJson, ManualTicketBody, TICKET_ACTION_BODIES, type TicketActionBody, type TicketActionRoute,
} from './ticket-schemas.js';
import { ticketJson } from './ticket-view.js';

export interface TicketActionRoutesOptions {
  desk: DeskService;
  now: () => number;
}

type AnyActionBody = Partial<TicketActionBody<'resolve'> & TicketActionBody<'assign'> & TicketActionBody<'priority'>
  & TicketActionBody<'comments'> & TicketActionBody<'rating'> & TicketActionBody<'ack'> & TicketActionBody<'close'>>;

function toAction(route: TicketActionRoute, b: AnyActionBody): TicketAction {
  const reason = b.reason ?? '';
  switch (route) {
    case 'ack': return { type: 'ack', note: b.note ?? '' };
    case 'start': return { type: 'start' };
    case 'wait': return { type: 'wait', reason };
    case 'resume': return { type: 'resume' };
    case 'resolve': return { type: 'resolve', ...(b.cause === undefined ? {} : { cause: b.cause }), ...(b.action === undefined ? {} : { action: b.action }), ...(b.fix === undefined ? {} : { fix: b.fix }) };
    case 'close': return { type: 'close', reason };
    case 'reopen': return { type: 'reopen', reason };
    case 'escalate': return { type: 'escalate', reason };
    case 'assign': return { type: 'assign', assignee: b.assignee ?? null, reason, ...(b.team === undefined ? {} : { team: b.team }), ...(b.tier === undefined ? {} : { tier: b.tier }) };
    case 'priority': return { type: 'priority', priority: b.priority ?? 'P4', reason };
    case 'comments': return { type: 'comment', text: b.text ?? '', visibility: b.visibility ?? 'internal' };
    case 'take': return { type: 'take' };
    case 'rating': return { type: 'rate', score: b.score ?? 0, ...(b.comment === undefined ? {} : { comment: b.comment }) };
  }
}

const SUMMARIES: Record<TicketActionRoute, string> = {
  ack: 'acknowledge (first response)', start: 'start work', wait: 'wait on the customer (pauses the resolution clock)',
  resume: 'the customer replied (resumes work)', resolve: 'resolve with a resolution note (cause, action, fix)',
  close: 'close a resolved ticket (a device ticket only once its fault is cleared)', reopen: 'reopen a resolved or recently closed ticket',
  escalate: 'escalate to the next tier', assign: 'assign to a team, tier and member', priority: 'override the priority',
  comments: 'add a comment', rating: 'rate the service 1-5', take: 'take the ticket: assign it to yourself',
};

export async function ticketActionRoutes(app: FastifyInstance, opts: TicketActionRoutesOptions): Promise<void> {
  const { desk, now } = opts;
  const view = (t: Parameters<typeof ticketJson>[0]): DeskTicketJson => ticketJson(t, desk.settings().calendars, now());

  app.post<{ Body: ManualTicketBody }>('/api/tickets', {
    preValidation: emptyBodyAsObject,
    schema: { summary: 'open a ticket reported by phone, e-mail, chat or the API', body: ManualTicketBody, response: { 201: DeskTicketJson, ...actionErrorResponses } },
  }, async (req, reply): Promise<DeskTicketJson> => {
    const b = req.body;
    const t = await desk.openManualTicket({
      origin: b.origin, reporter: b.reporter, title: b.title, description: b.description ?? '', site: b.site, device: b.device ?? '',
      category: b.category, severity: b.severity, labels: b.labels ?? {},
    }, actorOf(req));
    void reply.code(201);
    return view(t);
  });

  for (const route of Object.keys(TICKET_ACTION_BODIES) as TicketActionRoute[]) {
    app.post<{ Params: TicketParams; Body: AnyActionBody }>(`/api/tickets/:id/${route}`, {
      preValidation: emptyBodyAsObject,
      schema: {
        summary: SUMMARIES[route], params: TicketParams, body: TICKET_ACTION_BODIES[route],
        response: { 200: DeskTicketJson, ...actionErrorResponses },
      },
    }, async (req): Promise<DeskTicketJson> => view(await desk.ticketAction(ticketRef(req.params.id), toAction(route, req.body ?? {}), actorOf(req))));
  }
}
