/**
 * Knowledge-base routes, as one fastify plugin:
 *   GET  /api/kb?q=&model=&code=&reviewed=&limit=   search (full text with q; model keeps entries whose pattern fits)
 *   GET  /api/kb/:id                                one entry, with the tickets it is credited with fixing
 *   POST /api/kb                                    new entry (201), or update of body.id (200; needs review again)
 *   POST /api/kb/:id/review                         mark reviewed (or withdraw the review)
 *   POST /api/kb/:id/fixes                          credit the entry with fixing a ticket (once per ticket)
 *   GET  /api/tickets/:id/kb                        suggestions for a ticket, ranked, each with its reason
 *   POST /api/tickets/:id/kb                        learn from the ticket's resolution: a new or updated entry
 */
import type { KbTicket, TicketRefInput } from '../store/port.js';
import type { FastifyInstance } from 'fastify';
import { apiError } from './api-errors.js';
import { errorResponses } from './schemas.js';
import { checkModelPattern } from '../core/knowledge/knowledge-rank.js';
import {
  KbDetailJson, KbEntryJson, KbFixBody, KbFixJson, KbLearnBody, KbLearnedJson, KbListJson, KbParams, KbQuery, KbReviewBody,
  KbSuggestionsJson, KbTicketParams, KbWriteBody,
} from './kb-schemas.js';
import type { KnowledgeService } from '../knowledge/knowledge-service.js';

export interface KnowledgeRoutesOptions {
  knowledge: KnowledgeService;
  now: () => number;
}

function ticketRef(id: string): TicketRefInput {
  return /^\d+$/.test(id) ? { id: Number(id) } : { number: id };
}

export async function knowledgeRoutes(app: FastifyInstance, opts: KnowledgeRoutesOptions): Promise<void> {
  const { knowledge, now } = opts;
  const { kb } = knowledge;

  const mustTicket = async (id: string): Promise<KbTicket> => {
    const t = await knowledge.ticket(ticketRef(id));
    if (!t) throw apiError('FL_ERR_API_NOT_FOUND', `no ticket ${id}`, { ticket: id });
    return t;
  };
  const notFound = (id: number | string) => apiError('FL_ERR_API_NOT_FOUND', `no knowledge entry ${id}`, { entry: id });

  app.get<{ Querystring: KbQuery }>('/api/kb', {
    schema: { querystring: KbQuery, response: { 200: KbListJson, ...errorResponses } },
  }, async (req): Promise<KbListJson> => ({ entries: await kb.search(req.query) }));

  app.get<{ Params: KbParams }>('/api/kb/:id', {
    schema: { params: KbParams, response: { 200: KbDetailJson, ...errorResponses } },
  }, async (req): Promise<KbDetailJson> => {
    const id = Number(req.params.id);
    const entry = await kb.get(id);
    if (!entry) throw notFound(id);
    return { ...entry, fixedTickets: await kb.fixedTickets(id) };
  });

  app.post<{ Body: KbWriteBody }>('/api/kb', {
    schema: { body: KbWriteBody, response: { 200: KbEntryJson, 201: KbEntryJson, ...errorResponses } },
  }, async (req, reply) => {
    const b = req.body;
    const pattern = checkModelPattern(b.modelPattern);
    if (!pattern.ok) throw apiError('FL_ERR_API_BAD_REQUEST', `modelPattern is not a usable regular expression: ${pattern.reason}`, { modelPattern: b.modelPattern });
    const draft = { modelPattern: b.modelPattern, code: b.code, title: b.title, symptoms: b.symptoms, diagnosis: b.diagnosis, remedy: b.remedy };
    if (b.id === undefined) {
      void reply.code(201);
      return await kb.create({ ...draft, source: 'manual' }, now());
    }
    const existing = await kb.get(b.id);
    if (!existing) throw notFound(b.id);
    const updated = await kb.update(b.id, { ...draft, source: existing.source }, now());
    if (!updated) throw notFound(b.id);
    return updated;
  });

  app.post<{ Params: KbParams; Body: KbReviewBody }>('/api/kb/:id/review', {
    schema: { params: KbParams, body: KbReviewBody, response: { 200: KbEntryJson, ...errorResponses } },
  }, async (req) => {
    const id = Number(req.params.id);
    const entry = await kb.review(id, req.body.reviewer.trim(), req.body.reviewed, now());
    if (!entry) throw notFound(id);
    return entry;
  });

  app.post<{ Params: KbParams; Body: KbFixBody }>('/api/kb/:id/fixes', {
    schema: { params: KbParams, body: KbFixBody, response: { 200: KbFixJson, ...errorResponses } },
  }, async (req): Promise<KbFixJson> => {
    const id = Number(req.params.id);
    if (!(await kb.get(id))) throw notFound(id);
    const ticket = await mustTicket(req.body.ticket);
    const credited = await kb.recordFix(id, ticket.id, now());
    const entry = await kb.get(id);
    if (!entry) throw notFound(id);
    return { credited, entry };
  });

  app.get<{ Params: KbTicketParams }>('/api/tickets/:id/kb', {
    schema: { params: KbTicketParams, response: { 200: KbSuggestionsJson, ...errorResponses } },
  }, async (req): Promise<KbSuggestionsJson> => {
    const t = await mustTicket(req.params.id);
    return { ticket: { id: t.id, number: t.number, code: t.code, model: t.model }, suggestions: await knowledge.suggest(t) };
  });

  app.post<{ Params: KbTicketParams; Body: KbLearnBody }>('/api/tickets/:id/kb', {
    schema: { params: KbTicketParams, body: KbLearnBody, response: { 200: KbLearnedJson, 201: KbLearnedJson, ...errorResponses } },
  }, async (req, reply): Promise<KbLearnedJson> => {
    const learned = await knowledge.learn(await mustTicket(req.params.id), req.body, now());
    void reply.code(learned.created ? 201 : 200);
    return learned;
  });
}
