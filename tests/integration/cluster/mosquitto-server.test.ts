/**
 * The test Mosquitto (tests/helpers/mosquitto-server.ts): a real broker on a random loopback
 * port that speaks MQTT 5, splits a shared subscription between its subscribers, keeps a
 * persistent session's queued messages across a restart, and leaves nothing behind.
 */
import { existsSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { startMosquitto } from '../../helpers/mosquitto-server.js';
import { isRunning as alive, uidOf } from '../../helpers/process-state.js';
import { waitFor } from '../../helpers/wait.js';

async function connect(t: Test, url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  t.teardown(() => client.endAsync(true));
  return client;
}

t.test('MQTT 5 publish/subscribe, and a shared subscription splits messages between two subscribers', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  t.not(uidOf(broker.pid), 0, 'mosquitto does not run as root');

  const plain = await connect(t, broker.url);
  t.equal(plain.options.protocolVersion, 5);
  const got: string[] = [];
  plain.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
  await plain.subscribeAsync('fl/v1/s1/d1/event', { qos: 1 });
  const pub = await connect(t, broker.url);
  await pub.publishAsync('fl/v1/s1/d1/event', 'hello', { qos: 1 });
  await waitFor('the subscriber to receive', () => (got.length > 0 ? true : undefined), 5000);
  t.same(got, ['fl/v1/s1/d1/event=hello']);

  const a = await connect(t, broker.url, { clientId: 'collector-a' });
  const b = await connect(t, broker.url, { clientId: 'collector-b' });
  const seenA: number[] = [];
  const seenB: number[] = [];
  a.on('message', (_t, p) => seenA.push(Number(p.toString())));
  b.on('message', (_t, p) => seenB.push(Number(p.toString())));
  const granted = await a.subscribeAsync('$share/collectors/fl/v1/+/+/event', { qos: 1 });
  await b.subscribeAsync('$share/collectors/fl/v1/+/+/event', { qos: 1 });
  t.equal(granted[0]?.qos, 1, 'shared subscription granted at QoS 1');
  const n = 40;
  for (let i = 0; i < n; i++) await pub.publishAsync(`fl/v1/s1/d${i % 4}/event`, String(i), { qos: 1 });
  await waitFor('all shared messages', () => (seenA.length + seenB.length >= n ? true : undefined), 5000);
  await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive now
  t.ok(seenA.length > 0 && seenB.length > 0, `both subscribers got a share (${seenA.length} + ${seenB.length})`);
  t.same([...seenA, ...seenB].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i), 'every message exactly once across the group');
});

t.test('a persistent session keeps its queued QoS 1 messages across a broker restart; stop leaves nothing', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const opts = { clientId: 'durable-sub', clean: false, properties: { sessionExpiryInterval: 3600 } };
  const sub = await connect(t, broker.url, opts);
  await sub.subscribeAsync('fl/v1/+/+/event', { qos: 1 });
  await sub.endAsync();
  const pub = await connect(t, broker.url);
  await pub.publishAsync('fl/v1/s1/d1/event', 'while-away', { qos: 1 });
  await pub.endAsync();
  const firstPid = broker.pid;
  await broker.restart();
  t.not(broker.pid, firstPid, 'a new broker process');
  t.notOk(alive(firstPid), 'the old broker exited');
  // The handler is there before CONNACK: the queued message may follow it at once.
  const back = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...opts });
  t.teardown(() => back.endAsync(true));
  const got: string[] = [];
  back.on('message', (_t, p) => got.push(p.toString()));
  await waitFor('the queued message after restart', () => (got.length > 0 ? true : undefined), 5000)
    .catch((err: Error) => { throw new Error(`${err.message}\n--- broker log ---\n${broker.log()}`); });
  t.same(got, ['while-away']);

  const pid = broker.pid;
  await broker.stop();
  t.notOk(alive(pid), 'broker exited');
  t.notOk(existsSync(broker.dir), 'temp dir removed');
});
