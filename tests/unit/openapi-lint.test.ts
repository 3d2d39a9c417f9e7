/**
 * The OpenAPI document's essentials, for clients generated from it (#15, "an OpenAPI document
 * clients can generate from"): what Redocly's recommended rules found missing, checked over the
 * full API — servers; the security schemes (session cookie + CSRF header, bearer token); on every
 * operation a unique operationId (what generators name methods by), a summary, a success and a
 * 4xx response, its path parameters declared, and security exactly when the README's role table
 * says the route is not public (with 401/403 answers documented).
 */
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { KnowledgeService } from '../../collector/knowledge/knowledge-service.js';
import type { DeviceRpc, RpcAnswer } from '../../collector/rpc/device-rpc.js';
import { DeviceProvisioning } from '../../collector/security/device-provisioning.js';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { deskHarness } from '../helpers/desk-harness.js';
import { readmeRoutePolicies } from '../helpers/readme-roles.js';

const fakeRpc: DeviceRpc = {
  request: async (): Promise<RpcAnswer> => ({ response: { id: 'x', ok: true, values: [] }, requestedAtMs: 1, answeredAtMs: 2 }),
  isConnected: () => true,
};

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string }>;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string }>;
  components?: { securitySchemes?: Record<string, Record<string, string>> };
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
}

async function fullApi(t: Test): Promise<{ app: FastifyInstance; doc: Doc }> {
  const h = await deskHarness(t);
  const app = await deskApi(t, h, {
    knowledge: new KnowledgeService(h.store.knowledge),
    devices: { rpc: fakeRpc, provisioning: new DeviceProvisioning(h.store) },
  });
  const viewer = await apiCaller(h.store, 'viewer');
  const res = await app.inject({ method: 'GET', url: '/api/docs', headers: { ...viewer.headers, host: 'collector.plant.example:8080' } });
  t.equal(res.statusCode, 200);
  return { app, doc: res.json() as Doc };
}

t.test('servers and security schemes are declared', async (t) => {
  const { doc } = await fullApi(t);
  t.equal(doc.openapi, '3.1.0');
  t.same(doc.servers?.map((s) => s.url), ['http://collector.plant.example:8080'], 'the server the document was fetched from');
  t.match(doc.components?.securitySchemes, {
    bearerToken: { type: 'http', scheme: 'bearer' },
    sessionCookie: { type: 'apiKey', in: 'cookie', name: 'fl_session' },
    csrfHeader: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
  });
});

t.test('every operation: a unique operationId, a summary, success and 4xx answers, its path parameters, security as the README says', async (t) => {
  const { app, doc } = await fullApi(t);
  const readme = readmeRoutePolicies();
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const tagNames = new Set((doc.tags ?? []).map((x) => x.name));
  let operations = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      operations++;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId || !/^[a-z][A-Za-z0-9]*$/.test(op.operationId)) problems.push(`${where}: operationId ${op.operationId} missing or not camelCase`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, where);
      if (!op.summary || op.summary.trim().length < 8) problems.push(`${where}: no summary`);
      for (const tag of op.tags ?? []) if (!tagNames.has(tag)) problems.push(`${where}: tag ${tag} not declared at the top`);
      const codes = Object.keys(op.responses);
      if (!codes.some((c) => /^2\d\d$/.test(c))) problems.push(`${where}: no success response`);
      if (!codes.some((c) => /^4\d\d$/.test(c))) problems.push(`${where}: no 4xx response`);
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === name)) problems.push(`${where}: path parameter ${name} not declared`);
      }
      const route = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`;
      const policy = readme[route];
      if (policy === undefined) { problems.push(`${where}: not in the README's role table`); continue; }
      const schemes = (op.security ?? []).map((s) => Object.keys(s).sort().join('+'));
      if (policy === 'public') {
        if (op.security === undefined || (op.security.length > 0 && !schemes.includes(''))) problems.push(`${where}: public, but security is not declared as none or optional ([${schemes.join(', ')}])`);
      } else {
        const cookie = ['GET', 'HEAD'].includes(method.toUpperCase()) ? 'sessionCookie' : 'csrfHeader+sessionCookie';
        if (!(schemes.includes('bearerToken') && schemes.includes(cookie)) || schemes.includes('')) problems.push(`${where}: needs ${policy}, security is [${schemes.join(', ')}]`);
        if (!codes.includes('401') || !codes.includes('403')) problems.push(`${where}: needs ${policy} but 401/403 are not documented`);
      }
    }
  }
  t.same(problems, [], 'no problems');
  t.equal(operations, app.routePolicies.filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/')).length, `every API route is an operation (${operations})`);
});
