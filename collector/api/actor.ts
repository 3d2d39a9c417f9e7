/**
 * Who acts through the API. Until users and roles exist (a later issue) the actor is whoever the
 * `X-Faultline-User` header names — it is recorded, not authenticated — and `api` without it.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../core/audit-record.js';

export const ACTOR_HEADER = 'x-faultline-user';
export const DEFAULT_ACTOR_ID = 'api';

export const ActorHeaders = Type.Object({
  [ACTOR_HEADER]: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$',
    description: 'who acts (recorded in the audit log; not authenticated yet); default "api"',
  })),
});
export type ActorHeaders = Static<typeof ActorHeaders>;

export function actorOf(req: FastifyRequest): Actor {
  const value = req.headers[ACTOR_HEADER];
  return { kind: 'user', id: typeof value === 'string' && value !== '' ? value : DEFAULT_ACTOR_ID };
}
