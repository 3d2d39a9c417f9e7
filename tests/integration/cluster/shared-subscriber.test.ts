/**
 * Collectors sharing one subscription on a real Mosquitto (collector/broker/shared-subscriber.ts):
 * two collectors split the messages, each message handled once; many are in flight at once (so
 * a handler can group-commit); a failing handler is retried, not dropped or redelivered twice;
 * a collector that stops mid-stream loses nothing, because it leaves the group first (without the
 * UNSUBSCRIBE this test lost a message in 1 of 3 runs).
 */
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { SharedSubscriber, type SharedMessage } from '../../../collector/broker/shared-subscriber.js';
import { FaultlineError } from '../../../protocol/errors.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { waitFor } from '../../helpers/wait.js';

let broker: MosquittoServer;
t.before(async () => {
  broker = await startMosquitto({ settings: { max_queued_messages: 100000 } });
});
t.teardown(() => broker?.stop());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Collector { sub: SharedSubscriber; handled: string[]; maxInFlight: number }

async function collector(t: Test, name: string, group: string, handle?: (m: SharedMessage) => Promise<void>): Promise<Collector> {
  const c: Collector = { sub: undefined as unknown as SharedSubscriber, handled: [], maxInFlight: 0 };
  let inFlight = 0;
  c.sub = new SharedSubscriber({
    url: broker.url, group, filters: ['fl/v1/+/+/event'], clientIdPrefix: name, connections: 4,
    handle: async (m) => {
      inFlight++;
      c.maxInFlight = Math.max(c.maxInFlight, inFlight);
      try {
        await (handle ? handle(m) : sleep(20));
        c.handled.push(m.payload.toString());
      } finally {
        inFlight--;
      }
    },
  });
  await c.sub.start();
  t.teardown(() => c.sub.stop(1000));
  return c;
}

async function publisher(t: Test): Promise<mqtt.MqttClient> {
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => pub.endAsync(true));
  return pub;
}

const ids = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

t.test('two collectors split the stream, each message handled once, several in flight at a time', async (t) => {
  const [one, two] = [await collector(t, 'c1', 'g1'), await collector(t, 'c2', 'g1')];
  const pub = await publisher(t);
  const sent = ids(200, 'a');
  await Promise.all(sent.map((m, i) => pub.publishAsync(`fl/v1/s1/d${i % 20}/event`, m, { qos: 1 })));
  await waitFor('every message handled', () => (one.handled.length + two.handled.length >= sent.length ? true : undefined), 15_000);
  await sleep(200);
  t.same([...one.handled, ...two.handled].sort(), [...sent].sort(), 'each exactly once');
  t.ok(one.handled.length > 0 && two.handled.length > 0, `both took a share (${one.handled.length} + ${two.handled.length})`);
  t.ok(one.maxInFlight > 1, `up to ${one.maxInFlight} messages in one collector's handler at once (a group commit can gather them)`);
  t.ok(one.maxInFlight <= 4 * 256, 'never more than connections × Receive Maximum');
});

t.test('a failing handler is retried while the ack is held; the message is not lost or handled twice', async (t) => {
  let failures = 0;
  const one = await collector(t, 'r1', 'g2', async (m) => {
    if (m.payload.toString() === 'b3' && failures < 3) {
      failures++;
      throw new Error('database unavailable');
    }
  });
  const pub = await publisher(t);
  const sent = ids(10, 'b');
  for (const m of sent) await pub.publishAsync('fl/v1/s1/d1/event', m, { qos: 1 });
  await waitFor('all handled', () => (one.handled.length >= sent.length ? true : undefined), 10_000);
  await sleep(300);
  t.equal(failures, 3, 'failed three times');
  t.same([...one.handled].sort(), [...sent].sort(), 'then handled once, nothing lost, nothing twice');
});

t.test('a collector that stops mid-stream loses nothing: it leaves the group, finishes what it holds, then disconnects', async (t) => {
  const [one, two] = [await collector(t, 's1', 'g3'), await collector(t, 's2', 'g3')];
  const pub = await publisher(t);
  const sent = ids(300, 'c');
  let i = 0;
  const publishing = (async () => {
    for (; i < sent.length; i++) {
      await pub.publishAsync(`fl/v1/s1/d${i % 20}/event`, sent[i]!, { qos: 1 });
      if (i % 5 === 0) await sleep(10);
    }
  })();
  await waitFor('the first collector to be busy', () => (one.handled.length > 20 ? true : undefined), 10_000);
  const stoppedAt = i;
  await one.sub.stop();
  t.equal(one.sub.inFlight, 0, 'nothing left unacknowledged in the stopped collector');
  await publishing;
  t.ok(stoppedAt < sent.length - 50, `stopped while publishing (after ${stoppedAt} of ${sent.length})`);
  await waitFor('the rest handled by the other collector', () => (one.handled.length + two.handled.length >= sent.length ? true : undefined), 15_000)
    .catch(() => undefined);
  const all = [...one.handled, ...two.handled];
  t.equal(new Set(all).size, all.length, 'no message twice');
  t.same([...all].sort(), [...sent].sort(), `every message handled (${one.handled.length} by the stopped one, ${two.handled.length} by the other)`);
});

t.test('bad settings and a refused subscription are clear errors', async (t) => {
  const bad = (() => {
    try {
      return new SharedSubscriber({ url: broker.url, group: 'a/b', filters: ['$share/x/fl/#'], clientIdPrefix: 'x', connections: 0, handle: async () => undefined });
    } catch (e) {
      return e;
    }
  })();
  t.ok(bad instanceof FaultlineError && bad.code === 'FL_ERR_BROKER_SHARED_CONFIG');
  t.match((bad as Error).message, /group "a\/b".*\$share prefix.*connections must be 1\.\.256/);
  const unreachable = new SharedSubscriber({ url: 'mqtt://127.0.0.1:1', group: 'g', filters: ['fl/v1/#'], clientIdPrefix: 'u', connections: 1, handle: async () => undefined,
    connect: { reconnectPeriod: 0, connectTimeout: 2000 } });
  const err = await unreachable.start().catch((e: unknown) => e);
  t.ok(err instanceof FaultlineError && err.code === 'FL_ERR_BROKER_CONNECT', 'an unreachable broker at start');
});
