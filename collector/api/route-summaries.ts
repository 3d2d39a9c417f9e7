/**
 * Summaries for the OpenAPI document of routes whose schema has none (a route's own `summary`
 * wins). Kept apart so the route files stay as they are; a test requires a summary on every route.
 */
export const ROUTE_SUMMARIES: Readonly<Record<string, string>> = {
  'GET /api/tickets': 'tickets newest first, filtered by status, device, site, assignee, team or priority, with their SLA clocks',
  'GET /api/tickets/:id': 'one ticket (by id or number) with its events, telemetry, comments, SLA clocks and escalation',
  'GET /api/kb': 'search the knowledge base (full text, model, fault code, reviewed)',
  'POST /api/kb': 'a new knowledge-base entry (201), or an update of body.id (200; needs review again)',
  'GET /api/kb/:id': 'one knowledge-base entry, with the tickets it is credited with fixing',
  'POST /api/kb/:id/review': 'mark a knowledge-base entry reviewed, or withdraw the review',
  'POST /api/kb/:id/fixes': 'credit a knowledge-base entry with fixing a ticket (once per ticket)',
  'GET /api/tickets/:id/kb': 'knowledge-base suggestions for a ticket, ranked, each with its reason',
  'POST /api/tickets/:id/kb': 'learn from a ticket\'s resolution: a new or updated knowledge-base entry',
  'GET /api/reports/summary': 'the service report for a week or month: volume, MTTA/MTTR, SLA attainment, top faults (JSON or CSV)',
};
