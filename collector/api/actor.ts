/**
 * Who acts through the API: the authenticated user (auth-hooks.ts), recorded in the audit log by
 * username. An API token acts as its user.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../core/audit-record.js';
import { callerOf } from './auth-routes.js';

export function actorOf(req: FastifyRequest): Actor {
  return { kind: 'user', id: callerOf(req).user.username };
}
