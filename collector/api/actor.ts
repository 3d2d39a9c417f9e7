/**
 * Who acts through the API: the authenticated user (auth-hooks.ts), recorded in the audit log by
 * username. An API token acts as its user, and the record names the token ("token:<name>").
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../core/desk/audit-record.js';
import { callerOf } from './auth-routes.js';
import { actorOfAuth } from './actor-of-auth.js';

export function actorOf(req: FastifyRequest): Actor {
  return actorOfAuth(callerOf(req));
}
