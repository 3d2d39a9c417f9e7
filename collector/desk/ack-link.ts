/**
 * Signed acknowledge links in e-mail pages: "<claims>.<signature>", both base64url, the signature an
 * HMAC-SHA256 of the claims under the collector's link key. A link names one ticket and one member
 * and expires; it is single-use because it acknowledges the ticket, and a ticket that is already
 * acknowledged refuses it (see api/page-ack-routes.ts). Tampered, malformed or expired links are
 * refused with a typed error; the key is never logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FaultlineError } from '../../protocol/errors.js';

export interface AckClaims {
  ticketId: number;
  member: string;
  expiresMs: number;
}

/** How long a link in a page stays valid by default. */
export const ACK_LINK_TTL_MS = 24 * 3_600_000;

const mac = (secret: string, text: string): Buffer => createHmac('sha256', secret).update(text, 'utf8').digest();

export function signAckLink(claims: AckClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify({ t: claims.ticketId, m: claims.member, e: claims.expiresMs }), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

function invalid(why: string): FaultlineError {
  return new FaultlineError('FL_ERR_PAGE_LINK_INVALID', `this acknowledge link is not valid: ${why}`, {
    hint: 'open the ticket in the dashboard and acknowledge it there',
  });
}

/** The link's claims when it is genuine and not expired at nowMs. */
export function verifyAckLink(token: string, secret: string, nowMs: number): AckClaims {
  const parts = token.split('.');
  const [body, sig] = parts;
  if (parts.length !== 2 || !body || !sig || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(sig)) throw invalid('it is malformed');
  const expected = mac(secret, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('its signature does not match (was it changed?)');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('its content cannot be read');
  }
  const c = raw as { t?: unknown; m?: unknown; e?: unknown };
  if (typeof c.t !== 'number' || !Number.isInteger(c.t) || typeof c.m !== 'string' || typeof c.e !== 'number') throw invalid('its content is incomplete');
  if (nowMs >= c.e) {
    throw new FaultlineError('FL_ERR_PAGE_LINK_EXPIRED', `this acknowledge link expired at ${new Date(c.e).toISOString()}`, {
      context: { ticketId: c.t }, hint: 'open the ticket in the dashboard and acknowledge it there',
    });
  }
  return { ticketId: c.t, member: c.m, expiresMs: c.e };
}
