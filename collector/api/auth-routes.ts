/**
 * Sign in and out, who am I, and your own API tokens:
 * POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me,
 * GET|POST /api/auth/tokens, DELETE /api/auth/tokens/:id. The contract is in auth-schemas.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { sendAuthError } from './auth-errors.js';
import { authenticatedUser, csrfHeaderMatches, type AuthDeps } from './auth-hooks.js';
import {
  AuthErrorBody, AuthSessionJson, CreateTokenBody, LoginBody, TokenCreatedJson, TokenListJson, TokenParams,
} from './auth-schemas.js';
import type { RequestAuth } from './request-auth.js';
import { ErrorBody } from './schemas.js';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from './session-cookie.js';
import { tokenJson } from './user-view.js';
import { actorOfAuth } from './actor-of-auth.js';
import type { AuditPort } from '../store/port.js';
import { tokenAudit } from '../users/token-audit.js';

const refused = { 401: AuthErrorBody, 403: AuthErrorBody, 429: AuthErrorBody, 400: ErrorBody, 404: ErrorBody, 500: ErrorBody } as const;

/** The authenticated caller of a non-public route (the onRequest hook guarantees it). */
/**
 * New API tokens come from a signed-in person (or the CLI on the collector's machine), never from
 * another token: a stolen token must not be able to mint itself successors that outlive its revocation.
 */
export function refuseTokenMintedByToken(reply: FastifyReply): FastifyReply {
  return sendAuthError(reply, 'FL_ERR_FORBIDDEN', 'an API token cannot create API tokens; sign in to the dashboard, or use `faultline user token add` on the collector', {
    hint: 'create the token from a signed-in session or with the CLI',
  });
}

export function callerOf(req: FastifyRequest): RequestAuth {
  if (req.auth === null) {
    throw new FaultlineError('FL_ERR_INTERNAL', `${req.method} ${req.routeOptions.url ?? ''}: no authenticated caller on a route that needs one`, {
      hint: 'give the route a role (not public) in collector/api/route-roles.ts',
    });
  }
  return req.auth;
}

export async function authRoutes(app: FastifyInstance, deps: AuthDeps & { audit?: Pick<AuditPort, 'append'> }): Promise<void> {
  const { directory, throttle, now } = deps;

  app.post<{ Body: LoginBody }>('/api/auth/login', {
    schema: { summary: 'sign in: sets the fl_session cookie and returns the CSRF token', body: LoginBody, response: { 200: AuthSessionJson, ...refused } },
  }, async (req, reply) => {
    const { username, password } = req.body;
    // Counted as a failure before the (slow) password check, so parallel attempts cannot all slip through.
    const { verdict, reservation } = await throttle.reserve(username, req.ip, now());
    if (!verdict.allowed || !reservation) {
      const retryAfterS = verdict.allowed ? 1 : Math.ceil(verdict.retryAfterMs / 1000);
      req.log.warn({ username, ip: req.ip, retryAfterS, scope: verdict.allowed ? undefined : verdict.scope }, 'login throttled');
      return sendAuthError(reply, 'FL_ERR_AUTH_THROTTLED', `too many failed sign-ins; try again in ${retryAfterS} s`, { retryAfterS });
    }
    const user = await directory.users.verifyLogin(username, password);
    if (!user) {
      req.log.info({ username, ip: req.ip }, 'login failed');
      return sendAuthError(reply, 'FL_ERR_AUTH_FAILED', 'wrong username or password');
    }
    await throttle.succeeded(reservation);
    const nowMs = now();
    await directory.sessions.prune(nowMs);
    const issued = await directory.sessions.create(user.id, nowMs);
    await directory.users.recordLogin(user.id, nowMs);
    setSessionCookie(req, reply, issued.sessionId, directory.sessions.policy.absoluteMs / 1000);
    req.log.info({ username: user.username, ip: req.ip }, 'signed in');
    void reply.header('cache-control', 'no-store');
    return { user: authenticatedUserJson(authenticatedUser(user)), csrfToken: issued.csrfToken } satisfies AuthSessionJson;
  });

  app.post('/api/auth/logout', {
    schema: { summary: 'sign out: ends the session and clears the cookie (needs X-CSRF-Token while the session is live)', response: { 204: { type: 'null' }, ...refused } },
  }, async (req, reply) => {
    const sessionId = sessionIdOf(req);
    if (sessionId !== undefined) {
      // A live session needs its CSRF token to end; a stale cookie is just cleared.
      const live = await directory.sessions.resolve(sessionId, now());
      if (live && !csrfHeaderMatches(req, live.csrfToken)) {
        return sendAuthError(reply, 'FL_ERR_CSRF', 'missing or wrong X-CSRF-Token header', { hint: 'send the csrfToken as the X-CSRF-Token header' });
      }
      await directory.sessions.remove(sessionId);
      if (live) req.log.info({ username: live.user.username }, 'signed out');
    }
    clearSessionCookie(req, reply);
    return reply.code(204).send();
  });

  app.get('/api/auth/me', {
    schema: { summary: 'who is signed in, and the CSRF token of the session', response: { 200: AuthSessionJson, ...refused } },
  }, async (req, reply): Promise<AuthSessionJson> => {
    const auth = callerOf(req);
    void reply.header('cache-control', 'no-store');
    return { user: authenticatedUserJson(auth.user), csrfToken: auth.via === 'session' ? auth.csrfToken : null };
  });

  app.get('/api/auth/tokens', {
    schema: { summary: 'your API tokens (never the tokens themselves)', response: { 200: TokenListJson, ...refused } },
  }, async (req): Promise<TokenListJson> => ({ tokens: (await directory.tokens.list(callerOf(req).user.id)).map(tokenJson) }));

  app.post<{ Body: CreateTokenBody }>('/api/auth/tokens', {
    schema: { summary: 'a new API token for yourself; the token is shown only in this reply', body: CreateTokenBody, response: { 201: TokenCreatedJson, ...refused } },
  }, async (req, reply) => {
    const auth = callerOf(req);
    if (auth.via === 'token') return refuseTokenMintedByToken(reply);
    const created = await directory.tokens.create(auth.user.id, req.body.name, now());
    await deps.audit?.append([tokenAudit(now(), actorOfAuth(auth), auth.user.username, 'token-create', [created.info])]);
    req.log.info({ username: auth.user.username, tokenId: created.info.id, tokenName: created.info.name }, 'API token created');
    void reply.code(201).header('cache-control', 'no-store');
    return { token: created.token, tokenInfo: tokenJson(created.info) };
  });

  app.delete<{ Params: TokenParams }>('/api/auth/tokens/:id', {
    schema: { summary: 'revoke one of your API tokens', params: TokenParams, response: { 204: { type: 'null' }, ...refused } },
  }, async (req, reply) => {
    const auth = callerOf(req);
    const token = (await directory.tokens.list(auth.user.id)).find((x) => x.id === Number(req.params.id));
    await directory.tokens.revoke(auth.user.id, Number(req.params.id));
    await deps.audit?.append([tokenAudit(now(), actorOfAuth(auth), auth.user.username, 'token-revoke', token ? [token] : [])]);
    req.log.info({ username: auth.user.username, tokenId: Number(req.params.id) }, 'API token revoked');
    return reply.code(204).send();
  });
}

function authenticatedUserJson(u: { username: string; displayName: string; role: AuthSessionJson['user']['role'] }): AuthSessionJson['user'] {
  return { username: u.username, displayName: u.displayName, role: u.role };
}
