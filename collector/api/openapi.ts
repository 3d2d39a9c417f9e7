/**
 * The OpenAPI 3.1 document of the API, generated from the routes' own JSON schemas: an `onRoute`
 * hook records every route as it is registered, and GET /api/docs serves the document.
 *
 * For client generators: each operation has an operationId (method + path, e.g.
 * `postTicketsByIdResolve`), a summary, a tag (its area), and the security its role policy asks
 * for (route-roles.ts): a bearer API token, or the session cookie (+ the X-CSRF-Token header for
 * anything but GET), with 401/403 answers; public routes need none. `servers` is the collector the
 * document was fetched from.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RegisteredRoute } from './request-auth.js';
import { ROUTE_SUMMARIES } from './route-summaries.js';
import { ErrorBody } from './schemas.js';

declare module 'fastify/types/schema.js' {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
  }
}

interface RouteSchema {
  summary?: string;
  params?: unknown;
  querystring?: unknown;
  headers?: unknown;
  body?: unknown;
  response?: Record<string, unknown>;
}

interface RecordedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
}

type Json = Record<string, unknown>;

/** TypeBox schemas carry symbol keys; the document is plain JSON. */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema ?? {})) as Json;

function parameters(schema: unknown, where: 'path' | 'query' | 'header'): Json[] {
  const s = plain(schema);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => ({
    name, in: where, required: where === 'path' || required.has(name), schema: p,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
  }));
}

const STATUS_TEXT: Record<string, string> = {
  200: 'OK', 201: 'created', 204: 'done, nothing to return', 400: 'bad request (code FL_ERR_API_BAD_REQUEST or a desk rule)',
  401: 'no or an unknown credential (FL_ERR_AUTH_REQUIRED)', 403: 'the role is too low, or the CSRF header is missing (FL_ERR_FORBIDDEN, FL_ERR_CSRF)',
  404: 'not found (FL_ERR_API_NOT_FOUND)', 409: 'the action does not fit the current state', 429: 'too many attempts',
  500: 'internal error (FL_ERR_INTERNAL)', 502: 'the device answered with an error', 503: 'not available now', 504: 'the device did not answer in time',
};

const SECURITY_SCHEMES = {
  bearerToken: { type: 'http', scheme: 'bearer', description: 'an API token (flt_…): `faultline user token add` or POST /api/auth/tokens' },
  sessionCookie: { type: 'apiKey', in: 'cookie', name: 'fl_session', description: 'the session cookie POST /api/auth/login sets' },
  csrfHeader: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'the csrfToken of the session (login or GET /api/auth/me), on every request but GET with the cookie' },
} as const;

const SAFE = new Set(['get', 'head', 'options']);

/** `post /api/tickets/:id/resolve` → `postTicketsByIdResolve`. */
export function operationIdOf(method: string, url: string): string {
  const words = url.replace(/^\/api\//, '').split('/').filter(Boolean)
    .map((seg) => (seg.startsWith(':') ? `by-${seg.slice(1)}` : seg))
    .flatMap((seg) => seg.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

const TAGS: Readonly<Record<string, string>> = {
  admin: 'device credentials and config reload (admin)', alarms: 'the alarm console: list, acknowledge, shelve, suppress',
  audit: 'the tamper-evident audit trail', auth: 'sign in and out, the caller, their own API tokens', config: 'the desk config in force',
  devices: 'devices, their birth and status; live reads, describe, logs and writes', docs: 'this document',
  health: 'liveness, and details for an admin or a token', kb: 'the knowledge base', reports: 'service reports',
  stream: 'live changes as server-sent events', tickets: 'tickets and their actions; the change feed', users: 'users and their API tokens (admin)',
  webhooks: 'the webhook delivery log',
};

function tagOf(url: string): string {
  return url.replace(/^\/api\//, '').split('/')[0] ?? 'api';
}

function security(method: string, url: string, policy: RegisteredRoute['policy'] | undefined): Json {
  // Health answers anyone, and more to an admin or a token (health-route.ts): credentials optional.
  if (url === '/api/health') return { security: [{}, { bearerToken: [] }, { sessionCookie: [] }] };
  if (policy === undefined || policy === 'public') return { security: [] };
  const cookie = SAFE.has(method) ? { sessionCookie: [] } : { sessionCookie: [], csrfHeader: [] };
  return { security: [{ bearerToken: [] }, cookie], 'x-faultline-role': policy };
}

export interface DocumentContext {
  /** Every route with its role policy (app.routePolicies). */
  policies: readonly RegisteredRoute[];
  /** The base URL of this collector as the client reached it. */
  server?: string;
}

export class OpenApiDocument {
  private readonly routes: RecordedRoute[] = [];

  /** Register before any route: `app.addHook('onRoute', docs.onRoute)`. */
  readonly onRoute = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || !route.url.startsWith('/api/')) continue;
      this.routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as RouteSchema });
    }
  };

  document(info: { title: string; version: string }, ctx: DocumentContext = { policies: [] }): Json {
    const paths: Record<string, Json> = {};
    const tags = new Set<string>();
    const errorSchema = plain(ErrorBody);
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const s = r.schema;
      const policy = ctx.policies.find((p) => p.method.toLowerCase() === r.method && p.url === r.url)?.policy;
      const secured = policy !== undefined && policy !== 'public';
      const declared = Object.entries(s.response ?? {}).map(([code, schema]) => [code, plain(schema)] as const);
      const refusals = secured ? ['401', '403'].filter((c) => !(s.response ?? {})[c]).map((c) => [c, errorSchema] as const) : [];
      const responses = Object.fromEntries([...declared, ...refusals].map(([code, schema]) => [code, {
        description: STATUS_TEXT[code] ?? code,
        ...(code === '204' ? {} : { content: { 'application/json': { schema } } }),
      }]));
      const tag = tagOf(r.url);
      tags.add(tag);
      const op: Json = {
        operationId: operationIdOf(r.method, r.url),
        summary: s.summary ?? ROUTE_SUMMARIES[`${r.method.toUpperCase()} ${r.url}`] ?? '',
        tags: [tag],
        ...security(r.method, r.url, policy),
        parameters: [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query'), ...parameters(s.headers, 'header')],
        ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } } : {}),
        responses,
      };
      paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
    }
    return {
      openapi: '3.1.0',
      info: { ...info, description: 'The faultline collector: alarms, tickets, devices, knowledge base, reports and administration. Every route but health, login and logout needs an API token (bearer) or a session cookie (+ X-CSRF-Token on writes) of a high enough role.' },
      servers: [{ url: ctx.server ?? '/', description: 'this collector' }],
      tags: [...tags].sort().map((name) => ({ name, description: TAGS[name] ?? name })),
      components: { securitySchemes: SECURITY_SCHEMES },
      paths,
    };
  }
}

export const OpenApiJson = Type.Object({
  openapi: Type.String(),
  info: Type.Object({ title: Type.String(), version: Type.String(), description: Type.String() }),
  servers: Type.Array(Type.Object({ url: Type.String(), description: Type.String() })),
  tags: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
  components: Type.Object({ securitySchemes: Type.Record(Type.String(), Type.Unknown()) }),
  paths: Type.Record(Type.String(), Type.Unknown()),
});

function serverOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export async function docsRoute(app: FastifyInstance, opts: { docs: OpenApiDocument; version: string }): Promise<void> {
  app.get('/api/docs', {
    schema: { summary: 'this OpenAPI document', response: { 200: OpenApiJson } },
  }, async (req) => opts.docs.document({ title: 'faultline collector API', version: opts.version }, { policies: app.routePolicies, server: serverOf(req) }));
}
