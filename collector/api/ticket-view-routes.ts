/**
 * Saved views of the ticket table, each user's own: GET /api/ticket-views, PUT and DELETE
 * /api/ticket-views/:name. A view holds the table's filter and sort fields, nothing else.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TicketViewsPort } from '../store/port/ticket-views.js';
import { apiError } from './api-errors.js';
import { callerOf } from './auth-routes.js';
import { errorResponses } from './schemas.js';

/** Most views one user keeps. */
export const TICKET_VIEWS_MAX = 50;

const Field = Type.Optional(Type.String({ maxLength: 64 }));
const ViewSettings = Type.Object({
  scope: Field, status: Field, priority: Field, team: Field, assignee: Field, site: Field, device: Field, sort: Field, dir: Field,
}, { additionalProperties: false, description: 'the ticket table\'s filter and sort, as GET /api/tickets takes them' });

const ViewJson = Type.Object({ name: Type.String(), settings: ViewSettings, updatedMs: Type.Number() });
const ViewListJson = Type.Object({ views: Type.Array(ViewJson) });
type ViewListJson = Static<typeof ViewListJson>;
type ViewJson = Static<typeof ViewJson>;
const ViewParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' }) });
type ViewParams = Static<typeof ViewParams>;
const ViewBody = Type.Object({ settings: ViewSettings }, { additionalProperties: false });
type ViewBody = Static<typeof ViewBody>;

export async function ticketViewRoutes(app: FastifyInstance, opts: { views: TicketViewsPort; now: () => number }): Promise<void> {
  app.get('/api/ticket-views', {
    schema: { summary: 'your saved views of the ticket table', response: { 200: ViewListJson, ...errorResponses } },
  }, async (req): Promise<ViewListJson> => ({ views: await opts.views.list(callerOf(req).user.id) }));

  app.put<{ Params: ViewParams; Body: ViewBody }>('/api/ticket-views/:name', {
    schema: { summary: 'save (or replace) one of your views of the ticket table', params: ViewParams, body: ViewBody, response: { 200: ViewJson, ...errorResponses } },
  }, async (req): Promise<ViewJson> => {
    const userId = callerOf(req).user.id;
    const name = req.params.name.trim();
    const mine = await opts.views.list(userId);
    if (mine.length >= TICKET_VIEWS_MAX && !mine.some((v) => v.name === name)) {
      throw apiError('FL_ERR_API_BAD_REQUEST', `you keep ${mine.length} views already (at most ${TICKET_VIEWS_MAX}); delete one first`, { max: TICKET_VIEWS_MAX });
    }
    const settings = Object.fromEntries(Object.entries(req.body.settings).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return opts.views.save(userId, name, settings, opts.now());
  });

  app.delete<{ Params: ViewParams }>('/api/ticket-views/:name', {
    schema: { summary: 'delete one of your views of the ticket table', params: ViewParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (req, reply) => {
    if (!await opts.views.remove(callerOf(req).user.id, req.params.name.trim())) throw apiError('FL_ERR_API_NOT_FOUND', `you have no view ${req.params.name}`);
    return reply.code(204).send();
  });
}
