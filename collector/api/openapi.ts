/**
 * The OpenAPI 3.1 document of the API, generated from the routes' own JSON schemas: an `onRoute`
 * hook records every route as it is registered, and GET /api/docs serves the document.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';

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
  200: 'OK', 201: 'created', 400: 'bad request (code FL_ERR_API_BAD_REQUEST or a desk rule)', 404: 'not found (FL_ERR_API_NOT_FOUND)',
  409: 'the action does not fit the current state', 500: 'internal error (FL_ERR_INTERNAL)',
};

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

  document(info: { title: string; version: string }): Json {
    const paths: Record<string, Json> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const s = r.schema;
      const responses = Object.fromEntries(Object.entries(s.response ?? {}).map(([code, schema]) => [code, {
        description: STATUS_TEXT[code] ?? code, content: { 'application/json': { schema: plain(schema) } },
      }]));
      const op: Json = {
        ...(s.summary ? { summary: s.summary } : {}),
        parameters: [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query'), ...parameters(s.headers, 'header')],
        ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } } : {}),
        responses,
      };
      paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
    }
    return { openapi: '3.1.0', info, paths };
  }
}

export const OpenApiJson = Type.Object({
  openapi: Type.String(),
  info: Type.Object({ title: Type.String(), version: Type.String() }),
  paths: Type.Record(Type.String(), Type.Unknown()),
});

export async function docsRoute(app: FastifyInstance, opts: { docs: OpenApiDocument; version: string }): Promise<void> {
  app.get('/api/docs', {
    schema: { summary: 'this OpenAPI document', response: { 200: OpenApiJson } },
  }, async () => opts.docs.document({ title: 'faultline collector API', version: opts.version }));
}
