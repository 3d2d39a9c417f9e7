/** The drainer against a real outbox file and a fake connection whose acknowledgements the test hands out. */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { OutboxDrainer } from '../../agent/mqtt/drainer.js';
import { openOutbox, type OutboxKind, type Outbox } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { fakeConnection } from '../helpers/fake-connection.js';

const DEVICE = 'plant/d1';

function setup(t: Test, maxInFlight: number): { outbox: Outbox; drainer: OutboxDrainer; add: (kind: OutboxKind, tag: string, device?: string) => void } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const outbox = openOutbox({ file: join(dir.path, 'outbox.db'), log: silentLogger() });
  t.teardown(() => outbox.close());
  const drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight, log: silentLogger() });
  t.teardown(() => drainer.stop());
  drainer.start();
  const add = (kind: OutboxKind, tag: string, device = DEVICE): void => {
    outbox.append({ device, kind, topic: `fl/v1/plant/d1/${kind}`, payload: Buffer.from(tag), qos: 1 });
  };
  return { outbox, drainer, add };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('events first, telemetry in at most half the window, acknowledged messages deleted', async (t) => {
  const { outbox, drainer, add } = setup(t, 4);
  for (let i = 1; i <= 6; i++) add('telemetry', String(i));
  for (let i = 1; i <= 3; i++) add('event', String(i));
  add('event', 'other-device', 'plant/d2');
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  t.same(conn.sent, ['e1', 'e2', 'e3', 't1'], 'events first, then one telemetry fills the window');
  conn.ackAll();
  await waitFor('the next round', () => (conn.sent.length >= 6 ? true : undefined));
  t.same(conn.sent.slice(4), ['t2', 't3'], 'telemetry alone may use half the window (2 of 4)');
  t.same(outbox.depth(DEVICE), { event: 0, telemetry: 5, status: 0, total: 5 }, 'the 4 acknowledged are deleted');
  add('event', '4');
  await waitFor('the new event', () => (conn.sent.includes('e4') ? true : undefined));
  t.equal(drainer.inFlight, 3, 'an event takes a free slot even while telemetry waits');
  for (let round = 0; round < 20 && outbox.depth(DEVICE).total > 0; round++) {
    conn.ackAll();
    await tick();
    await tick();
  }
  t.same(outbox.depth(DEVICE).total, 0, 'drained');
  t.notOk(conn.sent.some((s) => s.includes('other')), "another device's messages are not this drainer's");
  t.same(drainer.counters, { published: 10, acked: 10, ackedEvents: 4, resent: 0, rejected: 0, rejectedTelemetry: 0, rejectedStatus: 0, sentUnstored: 0, storedLate: 0 });
});

t.test('a lost connection keeps the unacknowledged; the next one sends them again, in order, counted as resent', async (t) => {
  const { outbox, drainer, add } = setup(t, 3);
  for (let i = 1; i <= 5; i++) add('event', String(i));
  const first = fakeConnection();
  drainer.attach(first.publish);
  first.pending[0]!.done();
  await tick();
  await tick();
  t.same(first.sent, ['e1', 'e2', 'e3', 'e4']);
  drainer.detach();
  for (const p of first.pending) p.done(new Error('Connection closed')); // what mqtt.js does on end(true)
  first.pending.splice(0);
  t.same(outbox.depth().event, 4, 'only the acknowledged one left');
  const second = fakeConnection();
  drainer.attach(second.publish);
  t.same(second.sent, ['e2', 'e3', 'e4'], 'from the oldest unacknowledged, in order');
  second.ackAll();
  await waitFor('e5', () => (second.sent.includes('e5') ? true : undefined));
  second.ackAll();
  await waitFor('empty', () => (outbox.depth().total === 0 ? true : undefined));
  t.same(drainer.counters, { published: 8, acked: 5, ackedEvents: 5, resent: 3, rejected: 0, rejectedTelemetry: 0, rejectedStatus: 0, sentUnstored: 0, storedLate: 0 });
});

t.test('a PUBACK with an MQTT 5 error reason code removes the message and counts it; other failures keep it', async (t) => {
  const { outbox, drainer, add } = setup(t, 8);
  add('event', '1');
  add('telemetry', '2');
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  const refused = Object.assign(new Error('Publish error: Not authorized'), { code: 0x87 });
  conn.pending[1]!.done(refused);
  conn.pending[0]!.done(new Error('client disconnecting'));
  await tick();
  await tick();
  t.same(outbox.depth(), { event: 1, telemetry: 0, status: 0, total: 1 }, 'the refused telemetry is gone; the event stays for the next connection');
  t.equal(drainer.counters.rejected, 1);
  t.equal(drainer.counters.rejectedTelemetry, 1, 'counted as refused telemetry');
  t.equal(drainer.counters.rejectedStatus, 0);
  t.equal(drainer.counters.acked, 0);
});

t.test('a refused fault event is a dead letter: kept, not resent on the same connection, sent again after a re-attach or a restart', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  let outbox = openOutbox({ file, log: silentLogger() });
  t.teardown(() => outbox.close());
  let drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight: 8, log: silentLogger() });
  t.teardown(() => drainer.stop());
  drainer.start();
  for (const tag of ['1', '2', '3']) outbox.append({ device: DEVICE, kind: 'event', topic: 'fl/v1/plant/d1/event', payload: Buffer.from(tag), qos: 1 });
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  const refused = Object.assign(new Error('Publish error: Not authorized'), { code: 135 });
  conn.pending[1]!.done(refused);
  conn.pending[0]!.done();
  conn.pending[2]!.done();
  await tick();
  await tick();
  t.same(outbox.depth(DEVICE), { event: 1, telemetry: 0, status: 0, total: 1 }, 'the refused event is still stored');
  t.equal(outbox.deadLetters(DEVICE), 1);
  outbox.append({ device: DEVICE, kind: 'event', topic: 'fl/v1/plant/d1/event', payload: Buffer.from('4'), qos: 1 });
  await waitFor('the next event', () => (conn.sent.includes('e4') ? true : undefined));
  t.same(conn.sent, ['e1', 'e2', 'e3', 'e4'], 'later events pass it; it is not sent again on this connection');

  drainer.stop();
  outbox.close();
  outbox = openOutbox({ file, log: silentLogger() });
  t.equal(outbox.deadLetters(DEVICE), 1, 'a dead letter survives a restart');
  drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight: 8, log: silentLogger() });
  drainer.start();
  const next = fakeConnection();
  drainer.attach(next.publish);
  t.same(next.sent, ['e2', 'e4'], 'the next connection sends it again, in order (e4 was never acknowledged)');
  next.ackAll();
  await tick();
  await tick();
  t.equal(outbox.deadLetters(DEVICE), 0);
  t.equal(outbox.depth(DEVICE).total, 0, 'delivered and deleted');
});

t.test("the broker's receive maximum caps the window", async (t) => {
  const { drainer, add } = setup(t, 32);
  for (let i = 1; i <= 10; i++) add('event', String(i));
  const conn = fakeConnection();
  drainer.attach(conn.publish, 2);
  t.same(conn.sent, ['e1', 'e2']);
});

t.test('on hold (a clean stop in progress) nothing more is sent, but acknowledgements still delete', async (t) => {
  const { outbox, drainer, add } = setup(t, 2);
  for (let i = 1; i <= 4; i++) add('event', String(i));
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  drainer.hold();
  conn.ackAll();
  await tick();
  await tick();
  t.same(conn.sent, ['e1', 'e2'], 'no new publish');
  t.equal(outbox.depth().event, 2, 'the two acknowledged are deleted');
});

t.test('a lane the outbox holds nothing of is not queried: one read per telemetry batch, none after its acknowledgement', async (t) => {
  const { outbox, drainer, add } = setup(t, 8);
  const reads: string[] = [];
  for (const name of ['peek', 'dueResends'] as const) {
    const real = outbox[name].bind(outbox) as (...args: never[]) => unknown;
    Object.defineProperty(outbox, name, { value: (...args: never[]) => { reads.push(name === 'peek' ? `peek:${String((args[2] as { kinds?: string[] } | undefined)?.kinds)}` : name); return real(...args); } });
  }
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  t.same(reads, [], 'an empty outbox: no query on attach');
  for (let batch = 1; batch <= 3; batch++) {
    add('telemetry', String(batch));
    await waitFor(`telemetry batch ${batch} sent`, () => (conn.sent.includes(`t${batch}`) ? true : undefined));
    conn.ackAll();
    await tick();
    await tick();
  }
  t.same(reads, ['peek:telemetry,status', 'peek:telemetry,status', 'peek:telemetry,status'], 'one read of the telemetry lane per batch; the event lane is never queried');
  t.equal(outbox.depth(DEVICE).total, 0, 'every batch deleted on its acknowledgement');
  add('event', '1');
  await waitFor('the event sent', () => (conn.sent.includes('e1') ? true : undefined));
  t.same(reads.slice(3), ['dueResends', 'peek:event'], 'an event held: the event lane is read (resends due first), the empty telemetry lane is not');
});
