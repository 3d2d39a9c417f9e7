/** GET /api/tickets and GET /api/tickets/:id. */
import type { QueryPort, TicketRef } from '../store/port.js';
import type { FastifyInstance } from 'fastify';
import type { Sample } from '../../protocol/values.js';
import type { CalendarSet } from '../core/sla/sla-calendar.js';
import type { StoredEvent, Ticket } from '../core/tickets/ticket.js';
import { apiError } from './api-errors.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { ticketSortIsNumeric } from '../store/port/paging.js';
import { errorResponses, TicketParams, TicketQuery, type TelemetryPointJson } from './schemas.js';
import { TicketDetailJson, TicketListJson, TicketStableJson } from './ticket-schemas.js';
import { ticketJson, ticketListBody, type SummarySerializers } from './ticket-view.js';

/** Stored telemetry shown with a ticket starts this long before the fault was first seen. */
export const TELEMETRY_LEAD_MS = 60_000;
/** At most this many stored samples per ticket view. */
export const TELEMETRY_POINTS_MAX = 5_000;

export interface TicketRoutesOptions {
  store: QueryPort;
  now: () => number;
  /** The calendars SLA clocks run on (the desk's current settings). */
  calendars: () => CalendarSet;
}

export function ticketRef(id: string): TicketRef {
  return /^\d+$/.test(id) ? { id: Number(id) } : { number: id };
}

function snapshotPoints(events: StoredEvent[]): TelemetryPointJson[] {
  const seen = new Set<string>();
  const points: TelemetryPointJson[] = [];
  for (const e of events) {
    for (const s of e.snapshot) {
      const key = `${s.parameter}\u0000${s.timeMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      points.push({ ...s, origin: 'snapshot' });
    }
  }
  return points;
}

async function telemetryFor(store: QueryPort, ticket: Ticket, events: StoredEvent[], nowMs: number): Promise<TelemetryPointJson[]> {
  const toMs = !ticket.faultActive && ticket.clearedAtMs !== null ? ticket.clearedAtMs : nowMs;
  const stored: Sample[] = await store.telemetry({
    site: ticket.site, device: ticket.device, fromMs: ticket.firstSeenMs - TELEMETRY_LEAD_MS, toMs, limit: TELEMETRY_POINTS_MAX,
  });
  const points = [...snapshotPoints(events), ...stored.map((s): TelemetryPointJson => ({ ...s, origin: 'telemetry' }))];
  return points.sort((a, b) => a.timeMs - b.timeMs || a.parameter.localeCompare(b.parameter));
}

export async function ticketRoutes(app: FastifyInstance, opts: TicketRoutesOptions): Promise<void> {
  const { store, now } = opts;

  // Dashboards poll this list: each ticket's unchanging part is serialised once per ticket version
  // (with the compiled serializer of its schema), only the SLA clocks on every request.
  app.get<{ Querystring: TicketQuery }>('/api/tickets', {
    schema: {
      summary: 'one page of tickets (newest first unless sorted), with the total the filter matches and the cursor of the next page',
      querystring: TicketQuery, response: { 200: TicketListJson, ...errorResponses },
    },
  }, async (req, reply) => {
    const serializers: SummarySerializers = { stable: reply.compileSerializationSchema(TicketStableJson, '200') as SummarySerializers['stable'] };
    const { cursor, sort = 'opened', dir = 'desc', ...filter } = req.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, sort, dir, ticketSortIsNumeric(sort));
    const page = await store.pageTickets({ ...filter, sort, dir, ...(after ? { after } : {}) });
    const body = ticketListBody(page.items, opts.calendars(), now(), serializers, { total: page.total, nextCursor: encodeCursor(sort, dir, page.next) });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get<{ Params: TicketParams }>('/api/tickets/:id', {
    schema: { params: TicketParams, response: { 200: TicketDetailJson, ...errorResponses } },
  }, async (req): Promise<TicketDetailJson> => {
    const ticket = await store.getTicket(ticketRef(req.params.id));
    if (!ticket) throw apiError('FL_ERR_API_NOT_FOUND', `no ticket ${req.params.id}`, { ticket: req.params.id });
    const events = await store.ticketEvents(ticket.id);
    const nowMs = now();
    return {
      ...ticketJson(ticket, opts.calendars(), nowMs), snapshot: ticket.snapshot, logExcerpt: ticket.logExcerpt,
      events, telemetry: await telemetryFor(store, ticket, events, nowMs),
    };
  });
}
