/**
 * One connection of a shared subscriber holds many messages at once and still acknowledges each
 * only after its commit, in arrival order (collector/broker/puback-gate.ts, issue 13). Observed at
 * the broker's door: a proxy decodes every packet between the subscriber and a real Mosquitto.
 * If mqtt.js stops sending PUBACKs through `_sendPacket` (the private method the gate wraps), the
 * "no PUBACK before its commit" checks here fail.
 */
import mqtt from 'mqtt';
import type { Packet } from 'mqtt-packet';
import t, { type Test } from 'tap';
import { SharedSubscriber, type SharedMessage } from '../../../collector/broker/shared-subscriber.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { mqttTapProxy, type MqttTapProxy } from '../../helpers/mqtt-tap-proxy.js';
import { waitFor } from '../../helpers/wait.js';

let broker: MosquittoServer;
t.before(async () => {
  // max_inflight_messages 2: Mosquitto applies it to MQTT 3.1.1 clients only; an MQTT 5 subscriber gets its Receive Maximum
  broker = await startMosquitto({ settings: { max_queued_messages: 10000, max_inflight_messages: 2 } });
});
t.teardown(() => broker?.stop());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Held { message: SharedMessage; commit: () => void }

/** A one-connection subscriber behind a tap proxy whose handler commits only when the test says so. */
async function heldSubscriber(t: Test, group: string, receiveMaximum?: number): Promise<{ sub: SharedSubscriber; proxy: MqttTapProxy; held: Held[] }> {
  const proxy = await mqttTapProxy('127.0.0.1', broker.port);
  t.teardown(() => proxy.close());
  const held: Held[] = [];
  const sub = new SharedSubscriber({
    url: proxy.url, group, filters: ['fl/v1/+/+/event'], clientIdPrefix: `${group}-c`, connections: 1, receiveMaximum,
    handle: (message) => new Promise<void>((resolve) => { held.push({ message, commit: resolve }); }),
  });
  await sub.start();
  t.teardown(() => { for (const h of held) h.commit(); return sub.stop(2000); });
  return { sub, proxy, held };
}

async function publish(t: Test, payloads: string[]): Promise<void> {
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => pub.endAsync(true));
  for (const p of payloads) await pub.publishAsync('fl/v1/s1/d1/event', p, { qos: 1 });
}

const ofCmd = (proxy: MqttTapProxy, dir: 'up' | 'down', cmd: Packet['cmd']): Packet[] =>
  proxy.packets.filter((p) => p.dir === dir && p.packet.cmd === cmd).map((p) => p.packet);
const ids = (packets: Packet[]): Array<number | undefined> => packets.map((p) => (p as { messageId?: number }).messageId);

t.test('many messages of one connection reach the handler before the first commit; each PUBACK waits for its commit and the earlier ones', async (t) => {
  const { proxy, held } = await heldSubscriber(t, 'order');
  const sent = ['m0', 'm1', 'm2', 'm3', 'm4'];
  await publish(t, sent);
  await waitFor('all five in the handler at once', () => (held.length === sent.length ? true : undefined), 10_000);
  t.same(held.map((h) => h.message.payload.toString()), sent, 'all five reached the handler on one connection, none committed yet (more than max_inflight_messages 2)');
  const connect = ofCmd(proxy, 'up', 'connect')[0] as { properties?: { receiveMaximum?: number } } | undefined;
  t.equal(connect?.properties?.receiveMaximum, 256, 'CONNECT told the broker the default Receive Maximum');
  await sleep(300);
  t.equal(ofCmd(proxy, 'up', 'puback').length, 0, 'no PUBACK reached the broker before a commit');

  held[2]!.commit();
  await sleep(300);
  t.equal(ofCmd(proxy, 'up', 'puback').length, 0, 'the third committed first: its PUBACK waits for the first two');

  held[0]!.commit();
  await waitFor('the first PUBACK', () => (ofCmd(proxy, 'up', 'puback').length >= 1 ? true : undefined), 5000);
  await sleep(300);
  t.equal(ofCmd(proxy, 'up', 'puback').length, 1, 'only the first is acknowledged (the second is not committed)');

  held[1]!.commit();
  await waitFor('PUBACKs of the second and third', () => (ofCmd(proxy, 'up', 'puback').length >= 3 ? true : undefined), 5000);
  held[4]!.commit();
  await sleep(300);
  t.equal(ofCmd(proxy, 'up', 'puback').length, 3, 'the fifth waits for the fourth');
  held[3]!.commit();
  await waitFor('all PUBACKs', () => (ofCmd(proxy, 'up', 'puback').length >= 5 ? true : undefined), 5000);
  const published = ids(ofCmd(proxy, 'down', 'publish'));
  t.equal(published.length, 5);
  t.same(ids(ofCmd(proxy, 'up', 'puback')), published, 'PUBACK order equals PUBLISH order on the connection');
});

t.test('the Receive Maximum bounds what the broker sends unacknowledged', async (t) => {
  const { proxy, held } = await heldSubscriber(t, 'bound', 3);
  const sent = Array.from({ length: 10 }, (_, i) => `b${i}`);
  await publish(t, sent);
  await waitFor('three in the handler', () => (held.length >= 3 ? true : undefined), 10_000);
  await sleep(500);
  t.equal(held.length, 3, 'the broker sent three and waits');
  t.equal(ofCmd(proxy, 'down', 'publish').length, 3, 'three PUBLISHes crossed the wire');
  for (let i = 0; i < 20 && held.length < sent.length; i++) {
    for (const h of held) h.commit();
    await sleep(100);
  }
  for (const h of held) h.commit();
  await waitFor('all ten acknowledged', () => (ofCmd(proxy, 'up', 'puback').length >= sent.length ? true : undefined), 10_000);
  t.same(held.map((h) => h.message.payload.toString()), sent, 'all ten handled, in order, once each');
  t.same(ids(ofCmd(proxy, 'up', 'puback')), ids(ofCmd(proxy, 'down', 'publish')), 'PUBACK order equals PUBLISH order');
});

t.test('a connection lost mid-commit sends none of its held PUBACKs, and the member goes on after reconnecting', async (t) => {
  const { proxy, held } = await heldSubscriber(t, 'cut');
  await publish(t, ['c0', 'c1', 'c2']);
  await waitFor('three held', () => (held.length === 3 ? true : undefined), 10_000);
  proxy.cut();
  for (const h of held) h.commit();
  await waitFor('reconnected through the proxy', () => (ofCmd(proxy, 'up', 'connect').length >= 2 && ofCmd(proxy, 'down', 'suback').length >= 2 ? true : undefined), 15_000);
  await sleep(300);
  t.equal(ofCmd(proxy, 'up', 'puback').length, 0, 'no PUBACK for messages of the lost connection (their ids mean nothing on the new one)');
  await publish(t, ['c3']);
  await waitFor('the new message handled', () => (held.length === 4 ? true : undefined), 10_000);
  held[3]!.commit();
  await waitFor('its PUBACK', () => (ofCmd(proxy, 'up', 'puback').length >= 1 ? true : undefined), 5000);
  const lastPublish = ofCmd(proxy, 'down', 'publish').at(-1) as { messageId?: number };
  t.same(ids(ofCmd(proxy, 'up', 'puback')), [lastPublish.messageId], 'only the new message is acknowledged');
});
