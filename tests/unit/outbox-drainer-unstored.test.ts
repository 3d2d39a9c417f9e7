/**
 * Telemetry and status sent unstored (drainer.ts `enqueueLight`): against a real outbox file and a
 * fake connection whose acknowledgements the test hands out.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { OutboxDrainer } from '../../agent/mqtt/drainer.js';
import { openOutbox, type Outbox, type OutboxKind } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { fakeConnection } from '../helpers/fake-connection.js';

const DEVICE = 'plant/d1';
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(t: Test, opts: { maxInFlight?: number; unstoredMaxMs?: number } = {}): { outbox: Outbox; drainer: OutboxDrainer; light: (tag: string, kind?: OutboxKind) => boolean } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const outbox = openOutbox({ file: join(dir.path, 'outbox.db'), log: silentLogger() });
  t.teardown(() => outbox.close());
  const drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight: opts.maxInFlight ?? 8, log: silentLogger(), unstoredMaxMs: opts.unstoredMaxMs ?? 60_000 });
  t.teardown(() => drainer.stop());
  drainer.start();
  const light = (tag: string, kind: OutboxKind = 'telemetry'): boolean =>
    drainer.enqueueLight({ device: DEVICE, kind, topic: `fl/v1/plant/d1/${kind}`, payload: Buffer.from(tag), qos: 1 });
  return { outbox, drainer, light };
}

/** What the outbox holds, as the tags of its messages in seq order. */
const stored = (outbox: Outbox): string[] => outbox.peek(0, 100, { device: DEVICE }).map((m) => m.payload.toString());

t.test('on a live connection a batch acknowledged in time is never stored', async (t) => {
  const { outbox, drainer, light } = setup(t);
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  t.ok(light('1'));
  t.ok(light('2', 'status'));
  t.same(conn.sent, ['t1', 's2'], 'published at once');
  t.same(stored(outbox), [], 'not in the outbox');
  conn.ackAll();
  await tick();
  t.same(outbox.depth(DEVICE).total, 0);
  t.match(drainer.counters, { published: 2, acked: 2, sentUnstored: 2, storedLate: 0 });
});

t.test('a batch not acknowledged within unstoredMaxMs is stored, stays in flight, and its late PUBACK deletes it', async (t) => {
  const { outbox, drainer, light } = setup(t, { unstoredMaxMs: 50 });
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  light('1');
  light('2');
  await waitFor('the unacknowledged batches stored', () => (outbox.depth(DEVICE).telemetry === 2 ? true : undefined), 2000, 10);
  t.same(stored(outbox), ['1', '2'], 'stored in the order sent');
  t.same(conn.sent, ['t1', 't2'], 'not sent a second time on this connection');
  t.equal(drainer.counters.storedLate, 2);
  light('3');
  t.same(stored(outbox), ['1', '2', '3'], 'with batches stored, the next one is stored behind them, not sent around them');
  conn.ackAll();
  await waitFor('the late PUBACKs delete them and the next batch goes from the outbox', () => (conn.sent.length === 3 ? true : undefined), 2000, 10);
  t.same(conn.sent, ['t1', 't2', 't3']);
  t.same(stored(outbox), ['3']);
  conn.ackAll();
  await waitFor('drained', () => (outbox.depth(DEVICE).total === 0 ? true : undefined), 2000, 10);
  t.match(drainer.counters, { published: 3, acked: 3, sentUnstored: 2, storedLate: 2, resent: 0 });
});

t.test('a lost connection stores what was unacknowledged; the next one sends it again, in order, before newer batches', async (t) => {
  const { outbox, drainer, light } = setup(t);
  const first = fakeConnection();
  drainer.attach(first.publish);
  light('1');
  light('2');
  first.pending[0]!.done();
  await tick();
  drainer.detach();
  t.same(stored(outbox), ['2'], 'the acknowledged one was never stored, the other is now');
  light('3'); // while disconnected: stored
  const second = fakeConnection();
  drainer.attach(second.publish);
  t.same(second.sent, ['t2', 't3'], 'resent from the outbox, in order');
  t.equal(drainer.counters.resent, 1, 'the one sent before counts as resent');
  second.ackAll();
  await waitFor('drained', () => (outbox.depth(DEVICE).total === 0 ? true : undefined), 2000, 10);
  light('4');
  t.same(second.sent, ['t2', 't3', 't4'], 'lane empty again: the next batch goes unstored');
  t.same(stored(outbox), []);
});

t.test('a full lane stores the unstored batches first, so order holds', async (t) => {
  // Window 2: telemetry may hold 1 slot.
  const { outbox, drainer, light } = setup(t, { maxInFlight: 2 });
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  light('1');
  light('2'); // no room: 1 is stored (still in flight), then 2 behind it
  t.same(conn.sent, ['t1']);
  t.same(stored(outbox), ['1', '2']);
  conn.ackAll();
  await waitFor('2 sent once 1 is acknowledged', () => (conn.sent.length === 2 ? true : undefined), 2000, 10);
  t.same(conn.sent, ['t1', 't2']);
  conn.ackAll();
  await waitFor('drained', () => (outbox.depth(DEVICE).total === 0 ? true : undefined), 2000, 10);
});

t.test('a refused batch (MQTT 5 reason code) is counted and not stored; a failing connection stores it', async (t) => {
  const { outbox, drainer, light } = setup(t);
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  light('1');
  conn.pending.shift()!.done(Object.assign(new Error('Not authorized'), { code: 135 }));
  await tick();
  t.same(stored(outbox), [], 'refused telemetry is not kept');
  t.match(drainer.counters, { rejected: 1, rejectedTelemetry: 1 });
  light('2');
  conn.pending.shift()!.done(new Error('client disconnecting'));
  await tick();
  t.same(stored(outbox), ['2'], 'a publish that failed with the connection is stored, to go again after the reconnect');
  t.equal(drainer.inFlight, 0, 'and no longer counts as in flight on this connection');
});

t.test('without unstoredMaxMs, or while not connected, every batch is stored first', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const outbox = openOutbox({ file: join(dir.path, 'outbox.db'), log: silentLogger() });
  t.teardown(() => outbox.close());
  const drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight: 8, log: silentLogger() });
  t.teardown(() => drainer.stop());
  drainer.start();
  drainer.enqueueLight({ device: DEVICE, kind: 'telemetry', topic: 't', payload: Buffer.from('1'), qos: 1 });
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  drainer.enqueueLight({ device: DEVICE, kind: 'telemetry', topic: 't', payload: Buffer.from('2'), qos: 1 });
  t.same(stored(outbox), ['1', '2']);
  t.equal(drainer.counters.sentUnstored, 0);
});
