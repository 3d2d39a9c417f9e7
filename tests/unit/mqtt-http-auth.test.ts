/**
 * The collector's HTTP auth endpoints for an EMQX-style broker (collector/security/
 * http-auth-routes.ts), through app.inject: CONNECT and PUBLISH/SUBSCRIBE decisions equal the
 * embedded broker's rules, real scrypt hashes are checked, and everything not positively allowed
 * — wrong secret, malformed or unreadable body, a store that throws — is an HTTP 200 "deny"
 * (EMQX would treat a 4xx/5xx as "ignore"). No password or secret reaches the log.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { deviceClientId, mayPublish, maySubscribe, type Principal } from '../../collector/security/acl-rules.js';
import { decideAccess, decideConnect, principalOf } from '../../collector/security/http-auth-decisions.js';
import { mqttHttpAuthRoutes, type CredentialWithHash } from '../../collector/security/http-auth-routes.js';
import { hashPassword } from '../../collector/security/password-hash.js';
import { hashDeviceSecret } from '../../collector/security/device-secret-hash.js';
import { FaultlineError } from '../../protocol/errors.js';
import { TOPIC_KINDS, topicFor } from '../../protocol/topics.js';

const SECRET = 'broker-secret-0123456789abcdef';
const FAST = { ln: 10, r: 8, p: 1 };

async function buildApp(t: Test, lookupImpl?: (u: string) => Promise<CredentialWithHash | undefined>): Promise<{ app: FastifyInstance; logs: string[]; decisions: string[] }> {
  const logs: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const creds = new Map<string, CredentialWithHash>();
  const add = async (c: Omit<CredentialWithHash, 'passwordHash' | 'changeSeq' | 'id'>, password: string): Promise<void> => {
    creds.set(c.username, { ...c, id: creds.size + 1, changeSeq: creds.size + 1, passwordHash: await hashPassword(password, FAST) });
  };
  await add({ username: 'plant-a/drive-1', kind: 'device', site: 'plant-a', device: 'drive-1', name: null, revokedMs: null }, 'pw-drive-1');
  await add({ username: 'plant-a/drive-2', kind: 'device', site: 'plant-a', device: 'drive-2', name: null, revokedMs: 5 }, 'pw-drive-2');
  await add({ username: 'service:collector-1', kind: 'service', site: null, device: null, name: 'collector-1', revokedMs: null }, 'pw-collector');
  const decisions: string[] = [];
  const app = Fastify({ logger: { level: 'info', stream } });
  await app.register(mqttHttpAuthRoutes, {
    secret: SECRET,
    lookup: lookupImpl ?? (async (u) => creds.get(u)),
    onDecision: (kind, d) => decisions.push(`${kind}:${d.result}`),
  });
  await app.ready();
  t.teardown(() => app.close());
  return { app, logs, decisions };
}

const auth = { authorization: `Bearer ${SECRET}` };

async function ask(app: FastifyInstance, path: string, body: unknown, headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await app.inject({ method: 'POST', url: path, headers, payload: body as Record<string, unknown> });
  return { status: res.statusCode, json: res.json() as Record<string, unknown> };
}

t.test('CONNECT: right password and client id allow; every other case denies', async (t) => {
  const { app, logs, decisions } = await buildApp(t);
  const cases: Array<[string, Record<string, string>, 'allow' | 'deny']> = [
    ['device, right password, its client id', { username: 'plant-a/drive-1', password: 'pw-drive-1', clientid: deviceClientId('plant-a', 'drive-1') }, 'allow'],
    ['device, wrong password', { username: 'plant-a/drive-1', password: 'guess', clientid: deviceClientId('plant-a', 'drive-1') }, 'deny'],
    ['device, another device\'s client id', { username: 'plant-a/drive-1', password: 'pw-drive-1', clientid: 'fl-plant-a-drive-2' }, 'deny'],
    ['revoked device, right password', { username: 'plant-a/drive-2', password: 'pw-drive-2', clientid: deviceClientId('plant-a', 'drive-2') }, 'deny'],
    ['unknown user', { username: 'plant-z/x', password: 'pw', clientid: 'fl-plant-z-x' }, 'deny'],
    ['service, any client id', { username: 'service:collector-1', password: 'pw-collector', clientid: 'collector-node-7' }, 'allow'],
  ];
  for (const [what, body, want] of cases) {
    const { status, json } = await ask(app, '/mqtt/auth', body);
    t.equal(status, 200, `${what}: HTTP 200`);
    t.same(json, { result: want, is_superuser: false }, `${what}: ${want}`);
  }
  t.same(decisions, ['connect:allow', 'connect:deny', 'connect:deny', 'connect:deny', 'connect:deny', 'connect:allow']);
  const log = logs.join('');
  t.match(log, /was revoked/, 'the reason is logged');
  t.match(log, /must connect with client id fl-plant-a-drive-1/);
  for (const secret of ['pw-drive-1', 'pw-drive-2', 'guess', 'pw-collector', SECRET]) t.notMatch(log, secret, `"${secret}" is not in the log`);
});

t.test('CONNECT: a secret stored the way `faultline device add` stores it now (fast salted hash) is accepted', async (t) => {
  const fast: CredentialWithHash = {
    id: 9, changeSeq: 9, username: 'plant-a/drive-5', kind: 'device', site: 'plant-a', device: 'drive-5', name: null, revokedMs: null,
    passwordHash: hashDeviceSecret('pw-drive-5'),
  };
  const { app } = await buildApp(t, async (u) => (u === fast.username ? fast : undefined));
  const body = { username: fast.username, password: 'pw-drive-5', clientid: deviceClientId('plant-a', 'drive-5') };
  t.same((await ask(app, '/mqtt/auth', body)).json, { result: 'allow', is_superuser: false }, 'right secret: allow');
  t.same((await ask(app, '/mqtt/auth', { ...body, password: 'pw-drive-6' })).json, { result: 'deny', is_superuser: false }, 'wrong secret: deny');
});

t.test('PUBLISH/SUBSCRIBE: the same answers as the embedded broker\'s rules, for every kind of every device', async (t) => {
  const { app } = await buildApp(t);
  const me: Principal = { kind: 'device', username: 'plant-a/drive-1', site: 'plant-a', device: 'drive-1', credentialId: 1, changeSeq: 1 };
  for (const device of ['drive-1', 'drive-3']) {
    for (const kind of TOPIC_KINDS) {
      const topic = topicFor('plant-a', device, kind);
      const pub = await ask(app, '/mqtt/acl', { username: 'plant-a/drive-1', clientid: 'fl-plant-a-drive-1', topic, action: 'publish' });
      t.equal(pub.json.result, mayPublish(me, topic).ok ? 'allow' : 'deny', `publish ${topic}`);
      const sub = await ask(app, '/mqtt/acl', { username: 'plant-a/drive-1', clientid: 'fl-plant-a-drive-1', topic, action: 'subscribe' });
      t.equal(sub.json.result, maySubscribe(me, topic).ok ? 'allow' : 'deny', `subscribe ${topic}`);
    }
  }
  const more: Array<[string, Record<string, string>, 'allow' | 'deny']> = [
    ['device subscribes to everything', { username: 'plant-a/drive-1', clientid: 'x', topic: 'fl/v1/#', action: 'subscribe' }, 'deny'],
    ['device subscribes to its own receipts', { username: 'plant-a/drive-1', clientid: 'fl-plant-a-drive-1', topic: 'fl/v1/plant-a/drive-1/receipt', action: 'subscribe' }, 'allow'],
    ["device subscribes to another's receipts", { username: 'plant-a/drive-1', clientid: 'fl-plant-a-drive-1', topic: 'fl/v1/plant-a/drive-2/receipt', action: 'subscribe' }, 'deny'],
    ['service sends an RPC request', { username: 'service:collector-1', clientid: 'c1', topic: 'fl/v1/plant-a/drive-1/rpc/req', action: 'publish' }, 'allow'],
    ['service holds a shared subscription', { username: 'service:collector-1', clientid: 'c1', topic: '$share/collectors/fl/v1/+/+/event', action: 'subscribe' }, 'allow'],
    ['service publishes to $SYS', { username: 'service:collector-1', clientid: 'c1', topic: '$SYS/broker/x', action: 'publish' }, 'deny'],
    ['revoked device publishes its own event', { username: 'plant-a/drive-2', clientid: 'fl-plant-a-drive-2', topic: 'fl/v1/plant-a/drive-2/event', action: 'publish' }, 'deny'],
    ['unknown user', { username: 'nobody', clientid: 'x', topic: 'fl/v1/a/b/event', action: 'publish' }, 'deny'],
  ];
  for (const [what, body, want] of more) t.equal((await ask(app, '/mqtt/acl', body)).json.result, want, what);
});

t.test('fail closed: wrong secret, malformed or unreadable body, a failing store: HTTP 200 deny', async (t) => {
  let lookups = 0;
  const { app, logs } = await buildApp(t, async (u) => {
    lookups++;
    if (u === 'db-down') throw new FaultlineError('FL_ERR_STORE_UNAVAILABLE', 'connection refused');
    return undefined;
  });
  const good = { username: 'plant-a/drive-1', password: 'pw-drive-1', clientid: 'fl-plant-a-drive-1' };
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: SECRET }] as Array<Record<string, string>>) {
    const r = await ask(app, '/mqtt/auth', good, headers);
    t.same([r.status, r.json.result], [200, 'deny'], `secret header ${JSON.stringify(headers)}: deny`);
  }
  t.equal(lookups, 0, 'without the secret the store is not even asked');
  const bad = await ask(app, '/mqtt/acl', { username: 'plant-a/drive-1', clientid: 'x', topic: 'fl/v1/plant-a/drive-1/event', action: 'delete' });
  t.same([bad.status, bad.json.result], [200, 'deny'], 'unknown action: deny');
  const missing = await ask(app, '/mqtt/acl', { username: 'plant-a/drive-1', action: 'publish' });
  t.same([missing.status, missing.json.result], [200, 'deny'], 'missing topic: deny');
  const garbage = await app.inject({ method: 'POST', url: '/mqtt/auth', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"username":' });
  t.same([garbage.statusCode, (garbage.json() as { result: string }).result], [200, 'deny'], 'unparseable JSON: deny');
  const down = await ask(app, '/mqtt/acl', { username: 'db-down', clientid: 'x', topic: 'fl/v1/a/b/event', action: 'publish' });
  t.same([down.status, down.json.result], [200, 'deny'], 'store error: deny');
  const log = logs.join('');
  t.match(log, /credential lookup failed; denying/);
  t.match(log, /FL_ERR_STORE_UNAVAILABLE/);
  t.notMatch(log, SECRET, 'the secret is never logged');
  t.notMatch(log, 'pw-drive-1', 'nor a password');
});

t.test('a short secret is refused at registration', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  const err = await app.register(mqttHttpAuthRoutes, { secret: 'tiny-s3cret', lookup: async () => undefined }).ready().then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof FaultlineError && err.code === 'FL_ERR_SECURITY_HTTP_AUTH_SECRET', 'typed error');
  t.notMatch((err as Error).message, /tiny-s3cret/, 'the secret itself is not in the message');
});

t.test('the pure decisions', async (t) => {
  t.equal(principalOf(undefined), 'unknown user name');
  const broken = { id: 1, username: 'x', kind: 'device' as const, site: null, device: 'd', name: null, revokedMs: null, changeSeq: 1 };
  t.match(principalOf(broken) as string, /has no site\/device/);
  t.same(decideConnect({ credential: broken, passwordOk: true, clientId: 'x' }).result, 'deny');
  t.same(decideAccess({ credential: undefined, action: 'publish', topic: 'fl/v1/a/b/event' }), { result: 'deny', reason: 'unknown user name' });
});
