/**
 * Who acts through the API: the authenticated user (auth-hooks.ts), recorded in the audit log by
 * username. An API token acts as its user, and the record names the token ("token:<name>").
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../core/desk/audit-record.js';
import { callerOf } from './auth-routes.js';

export function actorOf(req: FastifyRequest): Actor {
  const auth = callerOf(req);
  return auth.via === 'token' ? { kind: 'user', id: auth.user.username, via: `token:${auth.tokenName}` } : { kind: 'user', id: auth.user.username };
}
