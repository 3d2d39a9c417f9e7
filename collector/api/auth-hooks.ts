/**
 * Authentication and role checks for every route, installed on the root instance before any route:
 * - onRoute: a route without an entry in route-roles.ts stops the app from starting;
 * - onRequest: authenticates (`Authorization: Bearer <API token>`, else the `fl_session` cookie),
 *   refuses an unsafe cookie-authenticated request without the session's X-CSRF-Token, and
 *   checks the caller's role against the route's policy. Sets `req.auth`.
 */
import type { StorePort, UserRecord } from '../store/port.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import type { LoginGate } from '../users/shared-login-throttle.js';
import { sameSecret } from '../users/secret-token.js';

import { sendAuthError } from './auth-errors.js';
import { CSRF_HEADER } from './auth-schemas.js';
import type { AuthCounters, AuthenticatedUser, RegisteredRoute, RequestAuth } from './request-auth.js';

export type { AuthCounters };
import { policyAllows, policyFor, ROUTE_ROLES, type RoutePolicy } from './route-roles.js';
import { clearSessionCookie, sessionCookieCount, sessionIdOf } from './session-cookie.js';

export interface AuthDeps {
  /** Users, sessions and API tokens (the store). */
  directory: Pick<StorePort, 'users' | 'sessions' | 'tokens'>;
  /** Failed sign-ins: the store's, shared by every collector on it (SharedLoginThrottle). */
  throttle: LoginGate;
  now: () => number;
  /** The policy table (tests pass their own). */
  routeRoles?: Readonly<Record<string, RoutePolicy>>;
}


const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function authenticatedUser(u: UserRecord): AuthenticatedUser {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role };
}

type Authentication = { auth: RequestAuth } | { auth: null; problem: string; staleCookie: boolean };

/** Who is calling, from the bearer token or the session cookie. */
export async function authenticate(req: FastifyRequest, deps: AuthDeps): Promise<Authentication> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return { auth: null, problem: 'the Authorization header must be "Bearer <API token>"', staleCookie: false };
    const found = await deps.directory.tokens.resolve(m[1], deps.now());
    if (!found) return { auth: null, problem: 'the API token is unknown or revoked, or its user is disabled', staleCookie: false };
    return { auth: { via: 'token', user: authenticatedUser(found.user), tokenId: found.token.id, tokenName: found.token.name } };
  }
  if (sessionCookieCount(req) > 1) {
    return { auth: null, problem: 'more than one fl_session cookie was sent (another site on this domain may have set one); sign in again', staleCookie: true };
  }
  const sessionId = sessionIdOf(req);
  if (sessionId === undefined) return { auth: null, problem: 'sign in first (POST /api/auth/login) or send an API token', staleCookie: false };
  const session = await deps.directory.sessions.resolve(sessionId, deps.now());
  if (!session) return { auth: null, problem: 'the session has ended; sign in again', staleCookie: true };
  return { auth: { via: 'session', user: authenticatedUser(session.user), csrfToken: session.csrfToken } };
}

/**
 * A check that the credential this request came with still holds (for a long-lived response such
 * as the live stream): the API token is not revoked and its user not disabled; the session has not
 * ended (logout, expiry, password change, user disabled or removed). A session is checked without
 * moving its idle clock.
 */
export function credentialCheck(req: FastifyRequest, deps: AuthDeps): () => Promise<boolean> {
  const auth = req.auth;
  if (auth === null) return async () => true;
  if (auth.via === 'token') {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    return async () => token !== undefined && (await deps.directory.tokens.resolve(token, deps.now())) !== undefined;
  }
  const sessionId = sessionIdOf(req);
  return async () => sessionId !== undefined && deps.directory.sessions.isLive(sessionId, deps.now());
}

export function csrfHeaderMatches(req: FastifyRequest, expected: string): boolean {
  const sent = req.headers[CSRF_HEADER];
  return typeof sent === 'string' && sameSecret(sent, expected);
}

const isApiPath = (path: string): boolean => path === '/api' || path.startsWith('/api/');

export function installAuth(app: FastifyInstance, deps: AuthDeps): void {
  const table = deps.routeRoles ?? ROUTE_ROLES;
  const refusals = { unauthenticated: 0, forbidden: 0, csrf: 0 };
  app.decorateRequest('auth', null);
  const registered: RegisteredRoute[] = [];
  app.decorate('routePolicies', registered);
  app.decorate('authCounters', (): AuthCounters => ({ ...refusals, login: deps.throttle.counters() }));
  app.decorate('credentialCheck', (req: FastifyRequest) => credentialCheck(req, deps));

  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const policy = policyFor(method, route.url, table);
      if (policy !== undefined) {
        registered.push({ method, url: route.url, policy });
        continue;
      }
      throw new FaultlineError('FL_ERR_API_ROUTE_UNPROTECTED', `route ${method} ${route.url} has no entry in the role policy`, {
        context: { method, url: route.url },
        hint: `add '${method} ${route.url}': '<public|viewer|operator|engineer|admin>' to ROUTE_ROLES in collector/api/route-roles.ts`,
      });
    }
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    req.auth = null;
    const url = req.routeOptions.url;
    const path = req.url.split('?')[0] ?? '';
    // Unknown URLs under /api/ (no route, or only the dashboard's catch-all) need a signed-in caller
    // too, so the API cannot be mapped anonymously.
    const policy: RoutePolicy = url === undefined || (isApiPath(path) && !isApiPath(url))
      ? (isApiPath(path) ? 'viewer' : 'public')
      : (policyFor(req.method, url, table) ?? 'admin');
    if (policy === 'public') return;
    const found = await authenticate(req, deps);
    if (found.auth === null) {
      refusals.unauthenticated += 1;
      if (found.staleCookie) clearSessionCookie(req, reply);
      return sendAuthError(reply, 'FL_ERR_AUTH_REQUIRED', found.problem);
    }
    const auth = found.auth;
    if (auth.via === 'session' && !SAFE_METHODS.has(req.method) && !csrfHeaderMatches(req, auth.csrfToken)) {
      refusals.csrf += 1;
      req.log.warn({ method: req.method, url: path, user: auth.user.username }, 'refused: missing or wrong CSRF token');
      return sendAuthError(reply, 'FL_ERR_CSRF', 'missing or wrong X-CSRF-Token header', {
        hint: 'send the csrfToken from POST /api/auth/login or GET /api/auth/me as the X-CSRF-Token header',
      });
    }
    if (!policyAllows(policy, auth.user.role)) {
      refusals.forbidden += 1;
      req.log.info({ method: req.method, url: url ?? path, user: auth.user.username, role: auth.user.role, needs: policy }, 'refused: role too low');
      return sendAuthError(reply, 'FL_ERR_FORBIDDEN', `${req.method} ${url ?? path} needs the ${policy} role; ${auth.user.username} is ${auth.user.role}`, {
        requiredRole: policy, hint: 'ask an admin for a higher role',
      });
    }
    req.auth = auth;
  });
}
