/**
 * GET /api/events: the stored fault events, newest received first, filtered by site, device, fault
 * code and ticket, one page at a time with the total and a keyset cursor (events are only added or
 * pruned, never moved, so a page never shifts).
 */
import type { FastifyInstance } from 'fastify';
import type { QueryPort } from '../store/port.js';
import { eventPositionParts } from '../store/list-page-sql.js';
import { EventListJson, EventQuery } from './event-schemas.js';
import { apiError } from './api-errors.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { errorResponses } from './schemas.js';

const SORT = 'received';

export async function eventRoutes(app: FastifyInstance, opts: { store: Pick<QueryPort, 'pageEvents'> }): Promise<void> {
  app.get<{ Querystring: EventQuery }>('/api/events', {
    schema: {
      summary: 'stored fault events, newest received first, filtered by site, device, code or ticket, with the total and the cursor of the next page',
      querystring: EventQuery, response: { 200: EventListJson, ...errorResponses },
    },
  }, async (req): Promise<EventListJson> => {
    const { cursor, limit, site, device, code, ticketId } = req.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, SORT, 'desc', false);
    if (after && !eventPositionParts(after)) throw apiError('FL_ERR_API_BAD_CURSOR', 'bad page cursor: not an event position', { sort: SORT });
    const page = await opts.store.pageEvents({ limit, site, device, code, ticketId, ...(after ? { after } : {}) });
    return { events: page.items, total: page.total, nextCursor: encodeCursor(SORT, 'desc', page.next) };
  });
}
