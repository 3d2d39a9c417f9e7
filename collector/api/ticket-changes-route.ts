/**
 * GET /api/tickets/changes: the tickets that changed after a cursor, for integrations that poll
 * instead of holding GET /api/stream open. Follow it like this:
 *   1. GET /api/tickets/changes (no `after`) → the current cursor;
 *   2. GET /api/tickets for the list as it is now;
 *   3. GET /api/tickets/changes?after=<cursor>&waitMs=25000, again and again with the cursor of each
 *      answer: each ticket that changed comes once, as GET /api/tickets shows it now; with `waitMs`
 *      the request waits (long polling) until something changes or the time is up.
 * `reset: true` (the collector restarted, or the cursor fell out of the last 65,536 changes): go back
 * to step 2 with the cursor given. A wait ends early with 401 when the caller's session ended or
 * token was revoked meanwhile.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DeskService } from '../desk/desk-service.js';
import type { QueryPort } from '../store/port.js';
import { BadCursor, ChangeFeed } from '../live/change-feed.js';
import { apiError } from './api-errors.js';
import { sendAuthError } from './auth-errors.js';
import { errorResponses, Id } from './schemas.js';
import { TicketSummaryJson } from './ticket-schemas.js';
import { ticketSummary } from './ticket-view.js';

/** Longest a request may wait for a change. */
export const FEED_MAX_WAIT_MS = 30_000;
/** Requests waiting at once, at most (each holds a connection); more are refused with 503. */
export const FEED_MAX_WAITING = 1_000;

export const TicketChangesQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 64, description: 'the cursor of the previous answer; without it, the answer is the current cursor and no tickets' })),
  site: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'most tickets per answer (`more` says when others are left)' }),
  waitMs: Type.Integer({ minimum: 0, maximum: FEED_MAX_WAIT_MS, default: 0, description: 'when nothing changed after the cursor, wait this long for a change' }),
}, { additionalProperties: false });
type TicketChangesQuery = Static<typeof TicketChangesQuery>;

export const TicketChangesJson = Type.Object({
  cursor: Type.String({ description: 'pass as `after` next time' }),
  reset: Type.Boolean({ description: 'true: changes were missed (restart or too old a cursor); re-read GET /api/tickets, then follow on from `cursor`' }),
  more: Type.Boolean({ description: 'more changes are waiting: ask again at once' }),
  tickets: Type.Array(TicketSummaryJson),
});
type TicketChangesJson = Static<typeof TicketChangesJson>;

export interface TicketChangesRouteOptions {
  desk: DeskService;
  store: QueryPort;
  now: () => number;
  /** Defaults to a feed whose epoch is the time the route was registered. */
  feed?: ChangeFeed;
  /** Receives the feed, e.g. for health figures. */
  onFeed?: (feed: ChangeFeed) => void;
}

export async function ticketChangesRoute(app: FastifyInstance, opts: TicketChangesRouteOptions): Promise<void> {
  const { desk, now } = opts;
  const feed = opts.feed ?? new ChangeFeed(now().toString(36));
  opts.onFeed?.(feed);
  const unsubscribe = desk.onChanges((changes) => feed.record(changes.tickets));
  app.addHook('preClose', async () => {
    unsubscribe();
    feed.close();
  });

  app.get<{ Querystring: TicketChangesQuery }>('/api/tickets/changes', {
    schema: {
      summary: 'tickets changed after a cursor (incremental polling, optionally waiting for a change)',
      querystring: TicketChangesQuery, response: { 200: TicketChangesJson, ...errorResponses },
    },
  }, async (req, reply) => {
    const { after, site, limit, waitMs } = req.query;
    void reply.header('cache-control', 'no-store');
    if (after === undefined) return { cursor: feed.cursor(), reset: false, more: false, tickets: [] } satisfies TicketChangesJson;
    let answer;
    try {
      answer = feed.after(after, limit);
      if (answer.kind === 'changes' && answer.ids.length === 0 && waitMs > 0) {
        if (feed.waiting >= FEED_MAX_WAITING) throw apiError('FL_ERR_API_BUSY', `too many requests waiting for ticket changes (at most ${FEED_MAX_WAITING}); poll without waitMs or try again shortly`);
        const stillAllowed = app.credentialCheck(req);
        const gone = new AbortController();
        const onClose = (): void => gone.abort();
        req.raw.once('close', onClose);
        try {
          await feed.waitAfter(after, waitMs, gone.signal);
        } finally {
          req.raw.off('close', onClose);
        }
        // The client went away while waiting: no one to answer (fastify is told the reply is handled).
        if (gone.signal.aborted) return reply;
        if (!(await stillAllowed())) return sendAuthError(reply, 'FL_ERR_AUTH_REQUIRED', 'your session ended or your API token was revoked while waiting; sign in again');
        answer = feed.after(after, limit);
      }
    } catch (err) {
      if (err instanceof BadCursor) throw apiError('FL_ERR_API_BAD_REQUEST', err.message, { after });
      throw err;
    }
    if (answer.kind === 'reset') return { cursor: answer.cursor, reset: true, more: false, tickets: [] } satisfies TicketChangesJson;
    const calendars = desk.settings().calendars;
    const nowMs = now();
    const tickets = [];
    for (const id of answer.ids) {
      const t = await opts.store.getTicket({ id });
      if (t && (site === undefined || t.site === site)) tickets.push(ticketSummary(t, calendars, nowMs));
    }
    return { cursor: answer.cursor, reset: false, more: answer.more, tickets } satisfies TicketChangesJson;
  });
}
