/**
 * The embedded broker's publish gate over real MQTT: the PUBACK waits for ingest, a store
 * failure drops the connection (so the client redelivers), $SYS is refused, and topics that
 * are not ingested pass through to subscribers.
 */
import mqtt, { type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import type { IngestHandler } from '../../collector/broker/publish-gate.js';

async function startBroker(t: Test, ingest: IngestHandler): Promise<MqttBroker> {
  const broker = new MqttBroker({ host: '127.0.0.1', port: 0, log: silentLogger(), ingest });
  await broker.start();
  t.teardown(() => broker.stop());
  return broker;
}

async function connect(t: Test, broker: MqttBroker): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  return client;
}

const closed = (client: MqttClient): Promise<void> => new Promise((resolve) => client.once('close', () => resolve()));

t.test('the PUBACK is sent only after ingest has finished', async (t) => {
  let release: () => void = () => {};
  const seen: string[] = [];
  const broker = await startBroker(t, (topic) => {
    seen.push(topic);
    return new Promise<void>((resolve) => { release = resolve; });
  });
  const client = await connect(t, broker);
  let acked = false;
  const publishing = client.publishAsync('fl/v1/s/d/event', Buffer.from('x'), { qos: 1 }).then(() => { acked = true; });
  while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(acked, 'no PUBACK while the store has not committed');
  release();
  await publishing;
  t.ok(acked, 'PUBACK after commit');
});

t.test('a store failure closes the connection so the client keeps the message', async (t) => {
  const broker = await startBroker(t, async () => { throw new Error('disk I/O error'); });
  const client = await connect(t, broker);
  const wasClosed = closed(client);
  client.publish('fl/v1/s/d/event', Buffer.from('x'), { qos: 1 });
  await wasClosed;
  t.pass('disconnected');
});

t.test('$SYS publishes are refused', async (t) => {
  const broker = await startBroker(t, async () => {});
  const client = await connect(t, broker);
  const wasClosed = closed(client);
  client.publish('$SYS/fake/heartbeat', 'x', { qos: 1 });
  await wasClosed;
  t.pass('disconnected');
});

t.test('other topics pass through untouched; fl/v1 messages reach subscribers after ingest', async (t) => {
  const ingested: string[] = [];
  const broker = await startBroker(t, async (topic) => { ingested.push(topic); });
  const sub = await connect(t, broker);
  await sub.subscribeAsync(['other/topic', 'fl/v1/s/d/rpc/req'], { qos: 1 });
  const got: string[] = [];
  const bothArrived = new Promise<void>((resolve) => sub.on('message', (topic) => { got.push(topic); if (got.length === 2) resolve(); }));
  const pub = await connect(t, broker);
  await pub.publishAsync('other/topic', 'hello', { qos: 1 });
  await pub.publishAsync('fl/v1/s/d/rpc/req', 'rpc', { qos: 1 });
  await bothArrived;
  t.same(got.sort(), ['fl/v1/s/d/rpc/req', 'other/topic']);
  t.same(ingested, ['fl/v1/s/d/rpc/req'], 'only fl/v1 is handed to ingest (which ignores RPC kinds)');
  t.equal(broker.clients, 2);
});
