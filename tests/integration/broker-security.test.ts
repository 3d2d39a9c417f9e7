/**
 * Broker security over real MQTT on loopback: credentials at CONNECT, the per-device ACL on
 * PUBLISH and SUBSCRIBE, refusals counted and logged without secrets, revoked sessions dropped,
 * internal service credentials, and the MQTTS listener.
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import { BrokerSecurity, type AuthMode } from '../../collector/security/broker-security.js';
import type { CredentialsPort } from '../../collector/store/port.js';
import { SecurityHealthJson } from '../../collector/security/health-schema.js';
import { openTestStore } from '../helpers/test-database.js';
import { OPENSSL, testNeeding } from '../helpers/required-tool.js';
import { selfSignedCert } from '../helpers/self-signed-cert.js';
import { tempDir } from '../helpers/temp-dir.js';
import { capturedLog } from '../helpers/captured-log.js';

interface Setup {
  broker: MqttBroker;
  security: BrokerSecurity;
  creds: CredentialsPort;
  ingested: string[];
  logText: () => string;
  url: string;
  certFile: string | undefined;
}

async function setup(t: Test, opts: { mode?: AuthMode; tls?: boolean; plainTcp?: boolean } = {}): Promise<Setup> {
  const dir = tempDir('faultline-brokersec-');
  const store = openTestStore(dir.path, Date.now());
  const creds = store.credentials;
  const { log, text: logText } = capturedLog('warn');
  const security = new BrokerSecurity({ credentials: creds, log, mode: opts.mode ?? 'auto', sweepEveryMs: 3_600_000 });
  const ingested: string[] = [];
  const tls = opts.tls ? { port: 0, ...selfSignedCert(dir.path) } : undefined;
  const broker = new MqttBroker({
    host: '127.0.0.1', port: 0, log, hooks: security.hooks, ...(tls ? { tls } : {}), plainTcp: opts.plainTcp ?? true,
    ingest: async (topic) => { ingested.push(topic); },
  });
  await broker.start();
  await security.start(() => broker.connectedClients());
  t.teardown(async () => {
    security.stop();
    await broker.stop();
    await store.close();
    dir.remove();
  });
  return { broker, security, creds, ingested, logText, url: `mqtt://127.0.0.1:${broker.port}`, certFile: tls?.certFile };
}

/** Connects once; resolves to the client, or to the CONNACK refusal code. */
async function tryConnect(t: Test, url: string, o: IClientOptions): Promise<MqttClient | number> {
  try {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...o });
    t.teardown(() => c.endAsync(true));
    return c;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

async function connectOk(t: Test, url: string, o: IClientOptions): Promise<MqttClient> {
  const c = await tryConnect(t, url, o);
  if (typeof c === 'number') throw new Error(`connection refused with code ${c}`);
  return c;
}

const closed = (c: MqttClient): Promise<void> => new Promise((resolve) => c.once('close', () => resolve()));
const asDevice = (site: string, device: string, password: string): IClientOptions => ({ clientId: `fl-${site}-${device}`, username: `${site}/${device}`, password });

t.test('with no credential the broker is open; the first credential turns authentication on', async (t) => {
  const s = await setup(t);
  t.equal(await s.security.authState(), 'open');
  const anon = await connectOk(t, s.url, {});
  await anon.publishAsync('fl/v1/any/one/event', 'x', { qos: 1 });
  t.same(s.ingested, ['fl/v1/any/one/event']);

  await s.creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, Date.now());
  t.equal(await s.security.authState(), 'required');
  t.equal(await tryConnect(t, s.url, {}), 5, 'anonymous CONNECT refused: not authorized');
  const wasClosed = closed(anon);
  await s.security.sweep();
  await wasClosed;
  t.pass('the anonymous session that was already connected is dropped');
  const snap = await s.security.snapshot();
  t.equal(snap.refused['missing-credentials'], 1);
  t.equal(snap.refused['anonymous-session'], 1);
});

t.test('a device connects with its own credential and client id only', async (t) => {
  const s = await setup(t);
  const { password } = await s.creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, Date.now());
  t.equal(await tryConnect(t, s.url, asDevice('plant-a', 'drive-1', 'wrong')), 4, 'wrong password: bad user name or password');
  t.equal(await tryConnect(t, s.url, { ...asDevice('plant-a', 'drive-9', password) }), 4, 'unknown user');
  t.equal(await tryConnect(t, s.url, { ...asDevice('plant-a', 'drive-1', password), clientId: 'fl-plant-a-drive-2' }), 2, 'another device\'s client id');
  t.equal(await tryConnect(t, s.url, {
    ...asDevice('plant-a', 'drive-1', password), will: { topic: 'fl/v1/plant-a/drive-2/death', payload: Buffer.from('x'), qos: 1, retain: false },
  }), 5, 'a last will on another device\'s topic');
  const ok = await tryConnect(t, s.url, {
    ...asDevice('plant-a', 'drive-1', password), will: { topic: 'fl/v1/plant-a/drive-1/death', payload: Buffer.from('x'), qos: 1, retain: false },
  });
  t.type(ok, 'object', 'right credential, client id and will');
  const snap = await s.security.snapshot();
  t.same([snap.refused['bad-credentials'], snap.refused['client-id'], snap.refused.will, snap.authenticated], [2, 1, 1, 1]);
  const everything = JSON.stringify(snap) + s.logText();
  t.notOk(everything.includes(password), 'the password is neither counted nor logged');
  t.match(s.logText(), /bad-credentials/);
});

t.test('a device publishes only under its own topics and subscribes only to its own rpc/req', async (t) => {
  const s = await setup(t);
  const { password } = await s.creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, Date.now());
  const dev = await connectOk(t, s.url, asDevice('plant-a', 'drive-1', password));
  await dev.publishAsync('fl/v1/plant-a/drive-1/event', 'e', { qos: 1 });
  t.same(s.ingested, ['fl/v1/plant-a/drive-1/event']);

  const granted = await dev.subscribeAsync('fl/v1/plant-a/drive-1/rpc/req', { qos: 1 });
  t.same(granted.map((g) => g.qos), [1], 'own rpc/req granted');
  for (const filter of ['fl/v1/plant-a/drive-2/rpc/req', 'fl/v1/#']) {
    await t.rejects(dev.subscribeAsync(filter, { qos: 1 }), { message: /Subscribe error/, packet: { granted: [128] } }, `${filter} refused with SUBACK 0x80`);
  }
  t.ok(dev.connected, 'a refused subscription keeps the connection');

  const internal = await s.security.issueInternalCredential('engineer-rpc');
  const svc = await connectOk(t, s.url, { username: internal.username, password: internal.password });
  const got = new Promise<string>((resolve) => dev.once('message', (topic) => resolve(topic)));
  await svc.publishAsync('fl/v1/plant-a/drive-1/rpc/req', 'read', { qos: 1 });
  t.equal(await got, 'fl/v1/plant-a/drive-1/rpc/req', 'the collector\'s service client reaches the device');

  const wasClosed = closed(dev);
  dev.publish('fl/v1/plant-a/drive-2/event', 'forged', { qos: 1 });
  await wasClosed;
  t.same(s.ingested, ['fl/v1/plant-a/drive-1/event', 'fl/v1/plant-a/drive-1/rpc/req'], 'the forged event never reached ingest');
  const snap = await s.security.snapshot();
  t.equal(snap.refused.publish, 1);
  t.equal(snap.refused.subscribe, 2);
  t.match(snap.lastRefusals[0], { reason: 'publish', username: 'plant-a/drive-1', clientId: 'fl-plant-a-drive-1', topic: 'fl/v1/plant-a/drive-2/event' });
  t.ok(Value.Check(SecurityHealthJson, snap), 'the snapshot fits the /api/health schema');
  t.equal(await tryConnect(t, s.url, { username: internal.username, password: 'guess' }), 4, 'internal credentials need their password too');
});

t.test('revoking or replacing a credential drops its live session', async (t) => {
  const s = await setup(t);
  const a = await s.creds.add({ kind: 'device', site: 's', device: 'a' }, Date.now());
  const b = await s.creds.add({ kind: 'device', site: 's', device: 'b' }, Date.now());
  const ca = await connectOk(t, s.url, asDevice('s', 'a', a.password));
  const cb = await connectOk(t, s.url, asDevice('s', 'b', b.password));
  let bClosed = false;
  cb.on('close', () => { bClosed = true; });
  const aClosed = closed(ca);
  await s.creds.revoke({ kind: 'device', site: 's', device: 'a' }, Date.now());
  await s.security.sweep();
  await aClosed;
  t.equal(await tryConnect(t, s.url, asDevice('s', 'a', a.password)), 4, 'the revoked password no longer connects');
  const bGone = closed(cb);
  const b2 = await s.creds.add({ kind: 'device', site: 's', device: 'b' }, Date.now(), { replace: true });
  t.notOk(bClosed, 'untouched until the sweep');
  await s.security.sweep();
  await bGone;
  await connectOk(t, s.url, asDevice('s', 'b', b2.password));
  await s.security.sweep();
  t.equal((await s.security.snapshot()).refused['revoked-session'], 2, 'the new session survives the next sweep');
});

t.test('mode off accepts everyone, mode required refuses even with no credential', async (t) => {
  const off = await setup(t, { mode: 'off' });
  await off.creds.add({ kind: 'device', site: 's', device: 'd' }, Date.now());
  const c = await connectOk(t, off.url, {});
  await c.publishAsync('fl/v1/x/y/event', 'e', { qos: 1 });
  t.equal(await off.security.authState(), 'off');
  const req = await setup(t, { mode: 'required' });
  t.equal(await tryConnect(t, req.url, {}), 5);
});

testNeeding(OPENSSL, 'MQTTS: a TLS listener alongside plain TCP, and TLS only', async (t) => {
  const s = await setup(t, { tls: true });
  t.ok(s.broker.tlsPort > 0 && s.broker.port > 0);
  const { password } = await s.creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, Date.now());
  const client = await connectOk(t, `mqtts://127.0.0.1:${s.broker.tlsPort}`, { ...asDevice('plant-a', 'drive-1', password), rejectUnauthorized: false });
  await client.publishAsync('fl/v1/plant-a/drive-1/event', 'over tls', { qos: 1 });
  t.same(s.ingested, ['fl/v1/plant-a/drive-1/event']);

  const only = await setup(t, { tls: true, plainTcp: false, mode: 'off' });
  t.equal(only.broker.port, 0, 'no plain listener');
  const certPem = readFileSync(only.certFile ?? '');
  const verified = await connectOk(t, `mqtts://localhost:${only.broker.tlsPort}`, { ca: certPem });
  await verified.publishAsync('fl/v1/x/y/status', 's', { qos: 1 });
  t.same(only.ingested, ['fl/v1/x/y/status'], 'a client that verifies the certificate');
});

t.test('a broker with no listener at all, or an unreadable certificate, fails to start with a clear error', async (t) => {
  const log = pino({ level: 'silent' });
  const none = new MqttBroker({ host: '127.0.0.1', port: 0, log, plainTcp: false, ingest: async () => {} });
  await t.rejects(none.start(), { code: 'FL_ERR_BROKER_CONFIG' });
  const bad = new MqttBroker({ host: '127.0.0.1', port: 0, log, tls: { port: 0, certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' }, ingest: async () => {} });
  await t.rejects(bad.start(), { code: 'FL_ERR_BROKER_TLS', message: /certificate \/nonexistent\/cert.pem/ });
});
