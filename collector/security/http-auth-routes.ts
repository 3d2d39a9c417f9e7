/**
 * The collector's HTTP endpoints for a broker's HTTP authentication and authorization
 * (EMQX-style; cluster mode). The API mounts them under /api/mqtt when the collector is given a
 * secret (--mqtt-http-auth-secret-file; api/app.ts):
 *
 *   POST /mqtt/auth  {"username","password","clientid"}          -> {"result":"allow"|"deny","is_superuser":false}
 *   POST /mqtt/acl   {"username","clientid","topic","action"}     -> {"result":"allow"|"deny"}
 *
 * with `Authorization: Bearer <secret>` configured on the broker's side. Decisions come from
 * http-auth-decisions.ts (the embedded broker's rules).
 *
 * Fail closed: every answer is HTTP 200 with a result, and anything not positively allowed —
 * a wrong or missing secret, a malformed body, a store that cannot answer — is "deny". (EMQX
 * treats a 4xx/5xx answer as "ignore" and goes on down its chain, where `no_match` may allow.)
 * Refusals are logged with user name, client id, topic and reason; never a password or the secret.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { ACCESS_ACTIONS, decideAccess, decideConnect, type BrokerCredential, type HttpAuthDecision } from './http-auth-decisions.js';
import { verifyDeviceSecret, verifyDeviceSecretAgainstNothing } from './device-secret-hash.js';

const Name = Type.String({ minLength: 1, maxLength: 256 });

export const AuthBody = Type.Object({
  username: Name,
  password: Type.String({ maxLength: 1024 }),
  clientid: Type.String({ maxLength: 256 }),
});
export type AuthBody = Static<typeof AuthBody>;

export const AclBody = Type.Object({
  username: Name,
  clientid: Type.String({ maxLength: 256 }),
  topic: Type.String({ minLength: 1, maxLength: 1024 }),
  action: Type.Union(ACCESS_ACTIONS.map((a) => Type.Literal(a))),
});
export type AclBody = Static<typeof AclBody>;

const AuthReply = Type.Object({ result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]), is_superuser: Type.Literal(false) });
const AclReply = Type.Object({ result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) });

export interface CredentialWithHash extends BrokerCredential {
  passwordHash: string;
}

export interface MqttHttpAuthOptions {
  /** The shared secret the broker sends as `Authorization: Bearer <secret>` (at least 16 characters). */
  secret: string;
  /** The credential of a user name, from the store (revoked ones included: they are refused here). */
  lookup(username: string): Promise<CredentialWithHash | undefined>;
  /** Route prefix (default /mqtt). Not `prefix`: fastify's register() takes that itself and would apply it twice. */
  routePrefix?: string;
  /** Told of every decision, for counters. */
  onDecision?(kind: 'connect' | 'publish' | 'subscribe', decision: HttpAuthDecision): void;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function mqttHttpAuthRoutes(app: FastifyInstance, opts: MqttHttpAuthOptions): Promise<void> {
  if (opts.secret.length < 16) {
    throw new FaultlineError('FL_ERR_SECURITY_HTTP_AUTH_SECRET', 'the broker HTTP auth secret is shorter than 16 characters', {
      hint: 'generate one, e.g. `openssl rand -base64 24`, and configure the same on the broker (Authorization: Bearer <secret>)',
    });
  }
  const expected = digest(`Bearer ${opts.secret}`);
  const prefix = opts.routePrefix ?? '/mqtt';

  /** Compares digests, so neither the length nor the content of the secret leaks through timing. */
  const authorized = (req: FastifyRequest): boolean => {
    const header = req.headers.authorization;
    return typeof header === 'string' && timingSafeEqual(digest(header), expected);
  };

  const refuse = (req: FastifyRequest, kind: 'connect' | 'publish' | 'subscribe', reason: string, fields: Record<string, unknown>): HttpAuthDecision => {
    req.log.warn({ ...fields, kind, reason }, 'broker HTTP auth: denied');
    return { result: 'deny', reason };
  };

  const lookup = async (req: FastifyRequest, username: string): Promise<CredentialWithHash | undefined | 'error'> => {
    try {
      return await opts.lookup(username);
    } catch (err) {
      req.log.error({ username, code: err instanceof FaultlineError ? err.code : undefined, err: (err as Error).message }, 'broker HTTP auth: credential lookup failed; denying');
      return 'error';
    }
  };

  // A body that is not JSON at all never reaches a handler: deny it here too (this plugin's routes only).
  app.setErrorHandler((err: Error & { code?: string }, req, reply) => {
    req.log.warn({ reason: err.message, code: err.code, url: req.url }, 'broker HTTP auth: denied (unreadable request)');
    void reply.code(200).send({ result: 'deny', is_superuser: false });
  });

  app.post(`${prefix}/auth`, {
    attachValidation: true,
    schema: { summary: 'broker HTTP authentication (CONNECT)', body: AuthBody, response: { 200: AuthReply } },
  }, async (req: FastifyRequest<{ Body: AuthBody }>, reply: FastifyReply) => {
    const answer = (d: HttpAuthDecision): Static<typeof AuthReply> => {
      opts.onDecision?.('connect', d);
      void reply.code(200);
      return { result: d.result, is_superuser: false };
    };
    if (!authorized(req)) return answer(refuse(req, 'connect', 'missing or wrong broker secret', { ip: req.ip }));
    if (req.validationError) return answer(refuse(req, 'connect', `malformed request: ${req.validationError.message}`, {}));
    const { username, password, clientid } = req.body;
    const credential = await lookup(req, username);
    if (credential === 'error') return answer(refuse(req, 'connect', 'credential store unavailable', { username, clientid }));
    // Device and service secrets are stored as fast salted hashes (device-secret-hash.ts; older scrypt ones still verify).
    const passwordOk = credential ? (await verifyDeviceSecret(password, credential.passwordHash).catch(() => ({ ok: false }))).ok : verifyDeviceSecretAgainstNothing(password);
    const d = decideConnect({ credential, passwordOk, clientId: clientid });
    return answer(d.result === 'allow' ? d : refuse(req, 'connect', d.reason, { username, clientid }));
  });

  app.post(`${prefix}/acl`, {
    attachValidation: true,
    schema: { summary: 'broker HTTP authorization (PUBLISH / SUBSCRIBE)', body: AclBody, response: { 200: AclReply } },
  }, async (req: FastifyRequest<{ Body: AclBody }>, reply: FastifyReply) => {
    const body = req.body as Partial<AclBody> | undefined;
    const kind = body?.action === 'subscribe' ? 'subscribe' : 'publish';
    const answer = (d: HttpAuthDecision): Static<typeof AclReply> => {
      opts.onDecision?.(kind, d);
      void reply.code(200);
      return { result: d.result };
    };
    if (!authorized(req)) return answer(refuse(req, kind, 'missing or wrong broker secret', { ip: req.ip }));
    if (req.validationError) return answer(refuse(req, kind, `malformed request: ${req.validationError.message}`, {}));
    const { username, clientid, topic, action } = req.body;
    const credential = await lookup(req, username);
    if (credential === 'error') return answer(refuse(req, kind, 'credential store unavailable', { username, clientid, topic }));
    const d = decideAccess({ credential, action, topic });
    return answer(d.result === 'allow' ? d : refuse(req, kind, d.reason, { username, clientid, topic }));
  });
}
