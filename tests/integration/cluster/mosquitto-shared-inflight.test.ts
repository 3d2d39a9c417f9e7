/**
 * What Mosquitto does with messages in flight to a shared-subscription member that dies before
 * acknowledging them (issue 13: "do not rely on one broker's choice"). This pins down the broker
 * the tests use, so the design's reliance is explicit:
 * - the dead member's unacknowledged messages are NOT given to the other members of the group;
 * - with a persistent session they wait for that same client id to come back (a collector that
 *   never comes back never gets them);
 * - with a clean session they are gone;
 * - a member that is offline with a persistent session still gets its round-robin share queued
 *   (until its session expires), even after an orderly DISCONNECT; unsubscribing first, or a
 *   clean session, takes it out of the group.
 * Hence the end-to-end receipts (the agent resends whatever no collector confirmed), and
 * collectors that leave the group before they disconnect.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { waitFor } from '../../helpers/wait.js';

const FILTER = '$share/collectors/fl/v1/+/+/event';
const N = 20;

/** A group member that takes messages but never acknowledges them (a collector stuck mid-commit). */
function stuckMember(url: string, opts: IClientOptions, got: string[]): MqttClient {
  return mqtt.connect(url, {
    protocolVersion: 5, reconnectPeriod: 0, ...opts,
    customHandleAcks: (_topic, message, _packet, _done) => { got.push(message.toString()); },
  });
}

async function scenario(t: Test, broker: MosquittoServer, persistent: boolean): Promise<{ stuck: string[]; other: string[]; sessionOpts: IClientOptions }> {
  const sessionOpts: IClientOptions = persistent
    ? { clientId: 'collector-a', clean: false, properties: { sessionExpiryInterval: 3600 } }
    : { clientId: 'collector-a', clean: true };
  const stuck: string[] = [];
  const a = stuckMember(broker.url, sessionOpts, stuck);
  t.teardown(() => a.endAsync(true));
  await new Promise<void>((resolve) => a.once('connect', () => resolve()));
  await a.subscribeAsync(FILTER, { qos: 1 });
  const b = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'collector-b' });
  t.teardown(() => b.endAsync(true));
  const other: string[] = [];
  b.on('message', (_t, p) => other.push(p.toString()));
  await b.subscribeAsync(FILTER, { qos: 1 });
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => pub.endAsync(true));
  for (let i = 0; i < N; i++) await pub.publishAsync(`fl/v1/s1/d${i}/event`, `m${i}`, { qos: 1 });
  await waitFor('the stuck member to hold one', () => (stuck.length > 0 ? true : undefined), 5000);
  await new Promise((r) => setTimeout(r, 300));
  // die without DISCONNECT, as a SIGKILLed process does
  a.stream.destroy();
  await new Promise((r) => setTimeout(r, 1000));
  return { stuck, other, sessionOpts };
}

t.test('a dead member\'s in-flight messages are not re-dispatched to the group; a persistent session gets them back', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const { stuck, other, sessionOpts } = await scenario(t, broker, true);
  const all = Array.from({ length: N }, (_, i) => `m${i}`);
  const missingFromB = all.filter((m) => !other.includes(m));
  t.ok(missingFromB.length > 0, `the other member did not get everything (${other.length}/${N})`);
  t.ok(stuck.every((m) => !other.includes(m)), 'what the dead member held never reached the other member');

  const back: string[] = [];
  const again = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...sessionOpts });
  t.teardown(() => again.endAsync(true));
  again.on('message', (_t, p) => back.push(p.toString()));
  await waitFor('the same client id to get the rest back', () => (back.length + other.length >= N ? true : undefined), 5000);
  t.same([...other, ...back].sort(), [...all].sort(), 'together: every message, once the same session returns');
});

t.test('with a clean session, a dead member\'s in-flight messages are lost at the broker', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const { other } = await scenario(t, broker, false);
  t.ok(other.length < N, `only ${other.length}/${N} reached the surviving member`);
  const back: string[] = [];
  const again = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'collector-a', clean: true });
  t.teardown(() => again.endAsync(true));
  again.on('message', (_t, p) => back.push(p.toString()));
  await again.subscribeAsync(FILTER, { qos: 1 });
  await new Promise((r) => setTimeout(r, 700));
  t.same(back, [], 'the same client id coming back clean gets none of them: gone unless the agent resends');
  t.equal(other.length + back.length < N, true);
});

t.test('an offline member with a persistent session keeps getting its share; unsubscribing or a clean session leaves the group', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const persistent: IClientOptions = { clientId: 'collector-a', clean: false, properties: { sessionExpiryInterval: 3600 } };
  const connect = async (opts: IClientOptions): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...opts });
    t.teardown(() => c.endAsync(true));
    return c;
  };
  const b = await connect({ clientId: 'collector-b' });
  const gotB: string[] = [];
  b.on('message', (_t, p) => gotB.push(p.toString()));
  await b.subscribeAsync(FILTER, { qos: 1 });
  const pub = await connect({});
  const publish = async (tag: string): Promise<void> => {
    for (let i = 0; i < 10; i++) await pub.publishAsync(`fl/v1/s1/d${i}/event`, `${tag}${i}`, { qos: 1 });
    await new Promise((r) => setTimeout(r, 400));
  };

  const a = await connect(persistent);
  await a.subscribeAsync(FILTER, { qos: 1 });
  await a.endAsync(); // an orderly DISCONNECT, as on SIGTERM
  await publish('p');
  const toB = gotB.filter((m) => m.startsWith('p')).length;
  t.ok(toB < 10, `with the persistent member offline, the live member got only ${toB}/10: the rest wait in the offline session`);

  const back = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...persistent });
  t.teardown(() => back.endAsync(true));
  const gotA: string[] = [];
  back.on('message', (_t, p) => gotA.push(p.toString()));
  // B's count again: a delivery to B still on its way after the 400 ms is B's, not lost.
  const toBNow = (): number => gotB.filter((m) => m.startsWith('p')).length;
  await waitFor('the offline share to arrive', () => (gotA.length + toBNow() >= 10 ? true : undefined), 5000);
  t.equal(gotA.length, 10 - toBNow(), 'the session kept them');

  await back.unsubscribeAsync(FILTER);
  await back.endAsync();
  await publish('u');
  await waitFor('the live member to get everything', () => (gotB.filter((m) => m.startsWith('u')).length >= 10 ? true : undefined), 5000).catch(() => undefined);
  t.equal(gotB.filter((m) => m.startsWith('u')).length, 10, 'after UNSUBSCRIBE, then DISCONNECT, the live member gets everything');

  const clean = await connect({ clientId: 'collector-c', clean: true });
  await clean.subscribeAsync(FILTER, { qos: 1 });
  await clean.endAsync();
  await publish('c');
  await waitFor('the live member to get everything', () => (gotB.filter((m) => m.startsWith('c')).length >= 10 ? true : undefined), 5000).catch(() => undefined);
  t.equal(gotB.filter((m) => m.startsWith('c')).length, 10, 'a clean-session member that left takes nothing with it');
});
