/**
 * User management (admin): GET|POST /api/users (GET pages by cursor, with the total), PATCH|DELETE /api/users/:username,
 * GET|POST|DELETE /api/users/:username/tokens (DELETE: revoke them all), DELETE /api/users/:username/tokens/:id.
 * Token changes are audited (users/token-audit.ts).
 * The contract is in auth-schemas.ts; the roles in route-roles.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthDeps } from './auth-hooks.js';
import { callerOf, refuseTokenMintedByToken } from './auth-routes.js';
import {
  AuthErrorBody, CreateTokenBody, CreateUserBody, TokenCreatedJson, TokenListJson, UpdateUserBody, UserJson, UserListJson, UserListQuery, UserParams,
  UserTokenParams,
} from './auth-schemas.js';
import { ErrorBody } from './schemas.js';
import { tokenJson, userJson } from './user-view.js';
import { actorOf } from './actor.js';
import type { AuditRecord } from '../core/desk/audit-record.js';
import type { AuditPort } from '../store/port.js';
import { tokenAudit } from '../users/token-audit.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

const errors = { 400: ErrorBody, 401: AuthErrorBody, 403: AuthErrorBody, 404: ErrorBody, 409: ErrorBody, 500: ErrorBody } as const;

export async function userRoutes(app: FastifyInstance, deps: AuthDeps & { audit?: Pick<AuditPort, 'append'> }): Promise<void> {
  const { directory, now } = deps;
  const audit = async (record: AuditRecord): Promise<void> => { await deps.audit?.append([record]); };
  const { users, tokens } = directory;

  app.get<{ Querystring: UserListQuery }>('/api/users', {
    schema: { summary: 'the users (never a password), one page in username order, with the total and the cursor of the next page', querystring: UserListQuery, response: { 200: UserListJson, ...errors } },
  }, async (req): Promise<UserListJson> => {
    const { cursor, limit } = req.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 'username', 'asc', false);
    const page = await users.page({ limit, ...(after ? { after } : {}) });
    return { users: page.items.map(userJson), total: page.total, nextCursor: encodeCursor('username', 'asc', page.next) };
  });

  app.post<{ Body: CreateUserBody }>('/api/users', {
    schema: { summary: 'add a user', body: CreateUserBody, response: { 201: UserJson, ...errors } },
  }, async (req, reply): Promise<UserJson> => {
    const created = await users.create(req.body, now());
    req.log.info({ by: callerOf(req).user.username, username: created.username, role: created.role }, 'user added');
    void reply.code(201);
    return userJson(created);
  });

  app.patch<{ Params: UserParams; Body: UpdateUserBody }>('/api/users/:username', {
    schema: { summary: 'change role, display name, password or disabled; a new password or disabling ends their sessions', params: UserParams, body: UpdateUserBody, response: { 200: UserJson, ...errors } },
  }, async (req): Promise<UserJson> => {
    const updated = await users.update(req.params.username, req.body, now());
    req.log.info({
      by: callerOf(req).user.username, username: updated.username, role: req.body.role, disabled: req.body.disabled,
      passwordChanged: req.body.password !== undefined,
    }, 'user changed');
    return userJson(updated);
  });

  app.delete<{ Params: UserParams }>('/api/users/:username', {
    schema: { summary: 'remove a user with their sessions and API tokens', params: UserParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await users.remove(req.params.username);
    req.log.info({ by: callerOf(req).user.username, username: req.params.username.toLowerCase() }, 'user removed');
    return reply.code(204).send();
  });

  app.get<{ Params: UserParams }>('/api/users/:username/tokens', {
    schema: { summary: 'a user\'s API tokens (never the tokens themselves)', params: UserParams, response: { 200: TokenListJson, ...errors } },
  }, async (req): Promise<TokenListJson> => ({ tokens: (await tokens.list((await users.mustGet(req.params.username)).id)).map(tokenJson) }));

  app.post<{ Params: UserParams; Body: CreateTokenBody }>('/api/users/:username/tokens', {
    schema: { summary: 'a new API token for a user; the token is shown only in this reply', params: UserParams, body: CreateTokenBody, response: { 201: TokenCreatedJson, ...errors } },
  }, async (req, reply) => {
    if (callerOf(req).via === 'token') return refuseTokenMintedByToken(reply);
    const user = await users.mustGet(req.params.username);
    const created = await tokens.create(user.id, req.body.name, now());
    await audit(tokenAudit(now(), actorOf(req), user.username, 'token-create', [created.info]));
    req.log.info({ by: callerOf(req).user.username, username: user.username, tokenId: created.info.id, tokenName: created.info.name }, 'API token created');
    void reply.code(201).header('cache-control', 'no-store');
    return { token: created.token, tokenInfo: tokenJson(created.info) };
  });

  app.delete<{ Params: UserTokenParams }>('/api/users/:username/tokens/:id', {
    schema: { summary: 'revoke a user\'s API token', params: UserTokenParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    const user = await users.mustGet(req.params.username);
    const token = (await tokens.list(user.id)).find((x) => x.id === Number(req.params.id));
    await tokens.revoke(user.id, Number(req.params.id));
    await audit(tokenAudit(now(), actorOf(req), user.username, 'token-revoke', token ? [token] : []));
    req.log.info({ by: callerOf(req).user.username, username: user.username, tokenId: Number(req.params.id) }, 'API token revoked');
    return reply.code(204).send();
  });

  app.delete<{ Params: UserParams }>('/api/users/:username/tokens', {
    schema: { summary: 'revoke every API token of a user at once', params: UserParams, response: { 200: TokenListJson, ...errors } },
  }, async (req): Promise<TokenListJson> => {
    const user = await users.mustGet(req.params.username);
    const revoked = await tokens.revokeAll(user.id);
    await audit(tokenAudit(now(), actorOf(req), user.username, 'token-revoke-all', revoked));
    req.log.info({ by: callerOf(req).user.username, username: user.username, revoked: revoked.length }, 'every API token of the user revoked');
    return { tokens: revoked.map(tokenJson) };
  });
}
