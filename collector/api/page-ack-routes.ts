/**
 * The acknowledge link of an e-mail page, usable without logging in (the signed link is the
 * credential): GET /ack/:token shows the ticket and a button (mail scanners that prefetch links
 * acknowledge nothing); POST /ack/:token acknowledges it, audited as the paged member
 * (via "mail-link"). A link is refused when tampered with or malformed (400), expired (410) or
 * already used: the ticket is acknowledged already (409). Refusals are counted; the link key is never logged.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { errorStatus } from '../../protocol/errors.js';
import type { DeskService } from '../desk/desk-service.js';
import { verifyAckLink, type AckClaims } from '../desk/ack-link.js';
import type { QueryPort } from '../store/port.js';
import type { DeskTicket } from '../core/tickets/desk-ticket.js';

export interface PageAckCounters {
  acknowledged: number;
  refused: number;
}

export interface PageAckRoutesOptions {
  desk: DeskService;
  store: Pick<QueryPort, 'getTicket'>;
  linkSecret: string;
  now: () => number;
  counters?: PageAckCounters;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head>`
    + `<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto"><h1>${esc(title)}</h1>${body}</body></html>`;
}

export async function pageAckRoutes(app: FastifyInstance, opts: PageAckRoutesOptions): Promise<void> {
  const counters = opts.counters ?? { acknowledged: 0, refused: 0 };
  // The confirmation form posts an empty urlencoded body.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));

  const refuse = (reply: FastifyReply, err: FaultlineError): FastifyReply => {
    counters.refused++;
    reply.log.warn({ code: err.code, context: err.context }, 'acknowledge link refused');
    return reply.code(errorStatus(err.code)).type('text/html; charset=utf-8')
      .send(page('Link refused', `<p id="refused" data-code="${err.code}">${esc(err.message)} (${err.code})</p>${err.hint ? `<p>${esc(err.hint)}</p>` : ''}`));
  };

  /** The link's claims and its ticket, when the link can still acknowledge it. */
  const check = async (token: string): Promise<{ claims: AckClaims; ticket: DeskTicket }> => {
    const claims = verifyAckLink(token, opts.linkSecret, opts.now());
    const ticket = await opts.store.getTicket({ id: claims.ticketId });
    if (!ticket) throw new FaultlineError('FL_ERR_PAGE_LINK_INVALID', `this acknowledge link names ticket ${claims.ticketId}, which does not exist`);
    if (ticket.acknowledgedAtMs !== null) {
      throw new FaultlineError('FL_ERR_PAGE_LINK_USED', `this link was already used: ticket ${ticket.number} was acknowledged at ${new Date(ticket.acknowledgedAtMs).toISOString()}`, {
        context: { ticket: ticket.number },
      });
    }
    return { claims, ticket };
  };

  const params = { type: 'object', properties: { token: { type: 'string', maxLength: 2048 } }, required: ['token'] } as const;

  app.get<{ Params: { token: string } }>('/ack/:token', { schema: { params } }, async (req, reply) => {
    try {
      const { claims, ticket } = await check(req.params.token);
      return reply.type('text/html; charset=utf-8').send(page(`Acknowledge ${ticket.number}`,
        `<p>${esc(ticket.priority)} ${esc(ticket.number)}: ${esc(ticket.title)}</p><p>Site ${esc(ticket.site)}, device ${esc(ticket.device)}.</p>`
        + `<form method="post"><button type="submit">Acknowledge as ${esc(claims.member)}</button></form>`));
    } catch (err) {
      if (err instanceof FaultlineError) return refuse(reply, err);
      throw err;
    }
  });

  app.post<{ Params: { token: string } }>('/ack/:token', { schema: { params } }, async (req, reply) => {
    try {
      const { claims, ticket } = await check(req.params.token);
      const acked = await opts.desk.ticketAction({ id: ticket.id }, { type: 'ack', note: 'acknowledged from the e-mail page' },
        { kind: 'user', id: claims.member, via: 'mail-link' });
      counters.acknowledged++;
      return reply.type('text/html; charset=utf-8').send(page(`${acked.number} acknowledged`,
        `<p id="acknowledged">${esc(acked.number)} acknowledged by ${esc(claims.member)}.</p>`));
    } catch (err) {
      if (err instanceof FaultlineError) return refuse(reply, err);
      throw err;
    }
  });
}
