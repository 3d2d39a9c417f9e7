/**
 * What the auth hook attaches to every request: who is calling and how. `null` on public routes
 * called without credentials.
 */
import type { Role } from '../core/access/roles.js';
import type { LoginThrottleCounters } from '../core/access/login-throttle.js';
import type { RoutePolicy } from './route-roles.js';

export interface AuthenticatedUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
}

export type RequestAuth =
  | { via: 'session'; user: AuthenticatedUser; csrfToken: string }
  | { via: 'token'; user: AuthenticatedUser; tokenId: number; tokenName: string };

/** A registered route and who may call it (what the route walk test and the README table use). */
export interface RegisteredRoute {
  method: string;
  url: string;
  policy: RoutePolicy;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    /** Every route registered so far with its policy (auth-hooks.ts). */
    routePolicies: readonly RegisteredRoute[];
    /** Refused requests and login throttle figures since start. */
    authCounters: () => AuthCounters;
    /** Whether the credential of this (authenticated) request still holds; see auth-hooks.ts. */
    credentialCheck: (req: FastifyRequest) => () => Promise<boolean>;
  }
}

/** Refused requests since start, and the login throttle's figures (for /api/health). */
export interface AuthCounters {
  unauthenticated: number;
  forbidden: number;
  csrf: number;
  login: LoginThrottleCounters;
}
