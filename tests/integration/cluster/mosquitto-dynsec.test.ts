/**
 * Device security enforced by a real Mosquitto through its dynamic-security plugin, driven by
 * collector/security/mosquitto-dynsec.ts: a provisioned device publishes on its own topics and
 * is refused (MQTT 5 reason code, and nothing delivered) on another device's; it subscribes only
 * to its own rpc/req; it must use its agent's client id; after revoke its session is dropped and
 * it cannot connect again. A collector with a service credential reads the devices' events
 * through a shared subscription.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { deviceClientId, deviceUsername, serviceUsername } from '../../../collector/security/acl-rules.js';
import { MosquittoDynsec, subackRefusal } from '../../../collector/security/mosquitto-dynsec.js';
import { FaultlineError } from '../../../protocol/errors.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { waitFor } from '../../helpers/wait.js';

const NOT_AUTHORIZED = 0x87;
/** Mosquitto 2.0 answers a failed dynsec login with 0x87 (not authorized); 0x86 (bad user name or password) is as good. */
const isRefusal = (code: number | undefined): boolean => code === 0x86 || code === 0x87;

let broker: MosquittoServer;
let dynsec: MosquittoDynsec;

t.before(async () => {
  broker = await startMosquitto({ dynamicSecurity: true });
  const admin = broker.admin;
  if (!admin) throw new Error('the broker has no dynsec admin');
  dynsec = await MosquittoDynsec.connect({ url: broker.url, ...admin });
});
t.teardown(async () => {
  await dynsec?.close();
  await broker?.stop();
});

async function connect(t: Test, opts: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...opts }, false);
  t.teardown(() => client.endAsync(true));
  return client;
}

async function connectRefusal(opts: IClientOptions): Promise<number | undefined> {
  const client = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  try {
    return await new Promise<number | undefined>((resolve) => {
      client.once('connect', () => resolve(undefined));
      client.once('error', (err) => resolve((err as Error & { code?: number }).code));
    });
  } finally {
    await client.endAsync(true);
  }
}

/** The SUBACK code for one filter: the granted QoS, or the refusal reason (mqtt.js rejects with it as err.code). */
async function subscribeCode(client: MqttClient, filter: string): Promise<number | undefined> {
  return client.subscribeAsync(filter, { qos: 1 }).then((g) => g[0]?.qos, subackRefusal);
}

function device(site: string, dev: string, password: string): IClientOptions {
  return { username: deviceUsername(site, dev), password, clientId: deviceClientId(site, dev) };
}

t.test('a device publishes only its own topics, subscribes only to its own rpc/req, and loses access on revoke', async (t) => {
  await dynsec.provisionDevice('plant-a', 'drive-1', 'pw-drive-1');
  await dynsec.provisionDevice('plant-a', 'drive-2', 'pw-drive-2');
  await dynsec.provisionService('collector-1', 'pw-collector');
  const clients = await dynsec.listClients();
  t.ok(['plant-a/drive-1', 'plant-a/drive-2', 'service:collector-1'].every((u) => clients.includes(u)), `clients known to the plugin: ${clients.join(', ')}`);

  const collector = await connect(t, { username: serviceUsername('collector-1'), password: 'pw-collector', clientId: 'collector-1' });
  const seen: string[] = [];
  collector.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  const granted = await collector.subscribeAsync('$share/collectors/fl/v1/+/+/#', { qos: 1 });
  t.equal(granted[0]?.qos, 1, 'the collector may hold a shared subscription');

  const d1 = await connect(t, device('plant-a', 'drive-1', 'pw-drive-1'));
  await d1.publishAsync('fl/v1/plant-a/drive-1/event', 'own-1', { qos: 1 });
  const refused = await d1.publishAsync('fl/v1/plant-a/drive-2/event', 'forged', { qos: 1 }).catch((e: unknown) => e);
  t.equal((refused as { code?: number }).code, NOT_AUTHORIZED, 'publishing as another device: PUBACK 0x87 not authorized');
  const rpcReq = await d1.publishAsync('fl/v1/plant-a/drive-1/rpc/req', 'self-rpc', { qos: 1 }).catch((e: unknown) => e);
  t.equal((rpcReq as { code?: number }).code, NOT_AUTHORIZED, 'a device may not send RPC requests');
  await d1.publishAsync('fl/v1/plant-a/drive-1/telemetry', 'own-2', { qos: 1 });
  await waitFor('the collector to get both own messages', () => (seen.length >= 2 ? true : undefined), 5000);
  await new Promise((r) => setTimeout(r, 200));
  t.same(seen, ['fl/v1/plant-a/drive-1/event own-1', 'fl/v1/plant-a/drive-1/telemetry own-2'], 'refused messages were not delivered');

  const subs = await Promise.all(['fl/v1/plant-a/drive-2/rpc/req', 'fl/v1/plant-a/drive-1/rpc/req', 'fl/v1/#'].map((f) => subscribeCode(d1, f)));
  t.same(subs, [NOT_AUTHORIZED, 1, NOT_AUTHORIZED], 'only its own rpc/req (SUBACK reason codes)');
  const rpc: string[] = [];
  d1.on('message', (topic, payload) => rpc.push(`${topic} ${payload.toString()}`));
  await collector.publishAsync('fl/v1/plant-a/drive-1/rpc/req', 'read', { qos: 1 });
  await waitFor('the device to get its RPC request', () => (rpc.length > 0 ? true : undefined), 5000);
  t.same(rpc, ['fl/v1/plant-a/drive-1/rpc/req read']);

  t.ok(isRefusal(await connectRefusal({ ...device('plant-a', 'drive-1', 'pw-drive-1'), clientId: 'fl-plant-a-drive-2' })),
    "drive-1's credential with drive-2's client id is refused");
  t.ok(isRefusal(await connectRefusal(device('plant-a', 'drive-2', 'wrong'))), 'a wrong password is refused');
  t.equal(await connectRefusal(device('plant-a', 'drive-2', 'pw-drive-2')), undefined, 'the right one connects (the refusals above are not blanket)');

  const dropped = new Promise<void>((resolve) => d1.once('close', () => resolve()));
  t.equal(await dynsec.revokeDevice('plant-a', 'drive-1'), true);
  await Promise.race([dropped, new Promise((_, reject) => setTimeout(() => reject(new Error('revoked session still connected after 3 s')), 3000))]);
  t.pass('the revoked device\'s session was disconnected');
  t.ok(isRefusal(await connectRefusal(device('plant-a', 'drive-1', 'pw-drive-1'))), 'a revoked device cannot connect');
  t.equal(await dynsec.revokeDevice('plant-a', 'drive-1'), false, 'revoking twice is harmless and says so');

  const d2 = await connect(t, device('plant-a', 'drive-2', 'pw-drive-2'));
  await d2.publishAsync('fl/v1/plant-a/drive-2/event', 'still-here', { qos: 1 });
  await waitFor('drive-2 unaffected', () => (seen.includes('fl/v1/plant-a/drive-2/event still-here') ? true : undefined), 5000);
});

t.test('re-provisioning replaces the password: the old one stops working, the live session is dropped', async (t) => {
  await dynsec.provisionDevice('plant-b', 'pump-1', 'first');
  const old = await connect(t, device('plant-b', 'pump-1', 'first'));
  const dropped = new Promise<void>((resolve) => old.once('close', () => resolve()));
  await dynsec.provisionDevice('plant-b', 'pump-1', 'second');
  await dropped;
  t.ok(isRefusal(await connectRefusal(device('plant-b', 'pump-1', 'first'))), 'old password refused');
  const fresh = await connect(t, device('plant-b', 'pump-1', 'second'));
  await fresh.publishAsync('fl/v1/plant-b/pump-1/status', 'ok', { qos: 1 });
  t.pass('new password works with the same topic rights');
});

t.test('clear errors: bad ids never reach the broker; a non-admin cannot drive the plugin; no password in errors', async (t) => {
  const badId = await dynsec.provisionDevice('plant-a', 'drive/9', 'x').catch((e: unknown) => e);
  t.ok(badId instanceof FaultlineError && badId.code === 'FL_ERR_TOPIC_ID', 'a device id with / is refused');

  await dynsec.provisionDevice('plant-c', 'hmi-1', 'pw-hmi');
  const notAdmin = await MosquittoDynsec.connect({ url: broker.url, username: deviceUsername('plant-c', 'hmi-1'), password: 'pw-hmi', connect: { clientId: deviceClientId('plant-c', 'hmi-1') } })
    .catch((e: unknown) => e);
  t.ok(notAdmin instanceof FaultlineError && notAdmin.code === 'FL_ERR_DYNSEC_DENIED', 'a device credential cannot manage the plugin');
  t.match((notAdmin as FaultlineError).hint ?? '', /admin role/);

  const wrongAdmin = await MosquittoDynsec.connect({ url: broker.url, username: 'fl-admin', password: 'nope' }).catch((e: unknown) => e);
  t.ok(wrongAdmin instanceof FaultlineError && wrongAdmin.code === 'FL_ERR_DYNSEC_CONNECT');
  t.notMatch(JSON.stringify({ m: (wrongAdmin as Error).message, c: (wrongAdmin as FaultlineError).context }), /nope/, 'no password in the error');

  const dup = await dynsec.send([{ command: 'createClient', username: 'plant-c/hmi-1', password: 'secret-in-command' }]).catch((e: unknown) => e);
  t.ok(dup instanceof FaultlineError && dup.code === 'FL_ERR_DYNSEC_COMMAND');
  t.match((dup as Error).message, /createClient "plant-c\/hmi-1": Client already exists/);
  t.notMatch(JSON.stringify({ m: (dup as Error).message, c: (dup as FaultlineError).context }), /secret-in-command/, 'the password sent is not in the error');
});
