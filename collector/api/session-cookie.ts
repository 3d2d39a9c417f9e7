/**
 * The dashboard's session cookie `fl_session`: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Path=/, Secure when the request came over https (directly or
 * per X-Forwarded-Proto from a TLS-terminating proxy).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieCount, parseCookies, serializeCookie, type CookieAttributes } from '../core/access/cookies.js';
import { SESSION_COOKIE } from './auth-schemas.js';

/**
 * The session id from the cookie; undefined when there is none, or more than one: a second
 * `fl_session` (say one a sibling subdomain planted with a narrower path, which the browser sends
 * first) must not make the request act as someone else's session.
 */
export function sessionIdOf(req: FastifyRequest): string | undefined {
  if (sessionCookieCount(req) > 1) return undefined;
  const value = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  return value === undefined || value === '' ? undefined : value;
}

export function sessionCookieCount(req: FastifyRequest): number {
  return cookieCount(req.headers.cookie, SESSION_COOKIE);
}

export function cameOverHttps(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

function attributes(req: FastifyRequest, maxAgeS: number): CookieAttributes {
  return { httpOnly: true, sameSite: 'Strict', path: '/', maxAgeS, ...(cameOverHttps(req) ? { secure: true } : {}) };
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, sessionId: string, maxAgeS: number): void {
  void reply.header('set-cookie', serializeCookie(SESSION_COOKIE, sessionId, attributes(req, maxAgeS)));
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { ...attributes(req, 0), expires: new Date(0) }));
}
