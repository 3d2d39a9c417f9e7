/**
 * The drainer with receipts on, against a real outbox file and a fake connection whose PUBACKs the
 * test hands out: a PUBACK only marks an event sent, a receipt deletes it, an unreceipted event is
 * sent again when due (in seq order, ahead of new events, the wait doubling), telemetry is still
 * deleted on its PUBACK, and `receiptsOff()` falls back to deleting on the PUBACK.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { OutboxDrainer, type PublishFn } from '../../agent/mqtt/drainer.js';
import { openOutbox, type Outbox, type OutboxMessage } from '../../agent/outbox/index.js';
import { decodeFaultEvent, encodeFaultEvent } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import { faultEvent } from '../helpers/delivery-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const DEVICE = 'plant/d1';

interface Pending {
  msg: OutboxMessage;
  done: (err?: Error) => void;
}

function fakeConnection(): { publish: PublishFn; pending: Pending[]; sent: string[]; ackAll: () => void } {
  const pending: Pending[] = [];
  const sent: string[] = [];
  return {
    pending, sent,
    publish: (msg, done) => {
      sent.push(msg.kind === 'event' ? `e${decodeFaultEvent(msg.payload).seq}` : `t${msg.payload.toString()}`);
      pending.push({ msg, done });
    },
    ackAll: () => { for (const p of pending.splice(0)) p.done(); },
  };
}

function setup(t: Test, firstMs: number, maxMs: number): { outbox: Outbox; drainer: OutboxDrainer; addEvent: (seq: number) => string } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const outbox = openOutbox({ file: join(dir.path, 'outbox.db'), log: silentLogger() });
  t.teardown(() => outbox.close());
  const drainer = new OutboxDrainer({ outbox, device: DEVICE, maxInFlight: 8, log: silentLogger(), receipts: { firstMs, maxMs } });
  t.teardown(() => drainer.stop());
  drainer.start();
  const addEvent = (seq: number): string => {
    const e = faultEvent('plant', 'd1', seq);
    outbox.append({ device: DEVICE, kind: 'event', topic: 'fl/v1/plant/d1/event', payload: encodeFaultEvent(e), qos: 1, eventId: e.id });
    return e.id;
  };
  return { outbox, drainer, addEvent };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('a PUBACK keeps the event until its receipt; telemetry goes on its PUBACK', async (t) => {
  const { outbox, drainer, addEvent } = setup(t, 60_000, 60_000);
  const ids = [addEvent(1), addEvent(2)];
  outbox.append({ device: DEVICE, kind: 'telemetry', topic: 't', payload: Buffer.from('1'), qos: 1 });
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  t.same(conn.sent, ['e1', 'e2', 't1']);
  conn.ackAll();
  await tick();
  await tick();
  t.same(outbox.depth(DEVICE), { event: 2, telemetry: 0, status: 0, total: 2 }, 'events kept after their PUBACK, telemetry deleted');
  t.equal(outbox.unreceipted(DEVICE), 2);
  t.equal(drainer.counters.ackedEvents, 2, 'acknowledged by the broker');
  t.equal(drainer.receipt([ids[0]!]), 1, 'the receipt deletes the first');
  t.equal(outbox.unreceipted(DEVICE), 1);
  t.equal(drainer.receipt([ids[1]!, ids[0]!]), 1, 'a repeated id is harmless');
  t.equal(outbox.depth(DEVICE).total, 0);
  t.equal(drainer.receiptCounters.receipted, 2);
  t.equal(drainer.counters.resent, 0, 'nothing resent: the receipts came in time');
});

t.test('a receipt that overtakes the PUBACK deletes the event; the late PUBACK changes nothing', async (t) => {
  const { outbox, drainer, addEvent } = setup(t, 60_000, 60_000);
  const id = addEvent(1);
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  t.equal(drainer.receipt([id]), 1);
  conn.ackAll();
  await tick();
  await tick();
  t.equal(outbox.depth(DEVICE).total, 0);
  t.equal(outbox.unreceipted(DEVICE), 0);
});

t.test('unreceipted events go again when due, oldest first and ahead of new ones, the wait doubling', async (t) => {
  const { outbox, drainer, addEvent } = setup(t, 150, 300);
  const ids = [addEvent(1), addEvent(2)];
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  const sentAt = Date.now();
  conn.ackAll();
  await tick();
  await tick();
  t.same(conn.sent, ['e1', 'e2']);
  addEvent(3); // a new event goes out at once, with no wait
  await waitFor('the new event', () => (conn.sent.includes('e3') ? true : undefined));
  await waitFor('the first resend', () => (conn.sent.length >= 5 ? true : undefined), 3000);
  t.ok(Date.now() - sentAt >= 150, 'not before the receipt timeout');
  t.same(conn.sent.slice(3), ['e1', 'e2'], 'the unreceipted ones, in seq order (e3 is in flight, not yet due)');
  t.equal(drainer.counters.resent, 2);
  t.equal(drainer.receiptCounters.resentUnreceipted, 2);
  const resentAt = Date.now();
  conn.ackAll();
  await waitFor('the second resend', () => (conn.sent.filter((s) => s === 'e1').length >= 3 ? true : undefined), 3000);
  t.ok(Date.now() - resentAt >= 290, `the second wait is the doubled one (${Date.now() - resentAt} ms)`);
  t.equal(drainer.receipt(ids), 2, 'the receipt deletes them, in flight or not');
  conn.ackAll();
  await tick();
  await tick();
  const before = conn.sent.length;
  await new Promise((r) => setTimeout(r, 450));
  t.same(conn.sent.slice(before), ['e3'], 'only the still unreceipted e3 goes again');
  t.equal(outbox.depth(DEVICE).event, 1);
});

t.test('receipts off for the connection: events are deleted on their PUBACK again, and sent ones go once more', async (t) => {
  const { outbox, drainer, addEvent } = setup(t, 100, 100);
  addEvent(1);
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  conn.ackAll();
  await tick();
  await tick();
  t.equal(outbox.unreceipted(DEVICE), 1, 'kept for its receipt');
  t.ok(drainer.awaitingReceipts);
  drainer.receiptsOff();
  t.notOk(drainer.awaitingReceipts);
  addEvent(2);
  await waitFor('both sent: the new one and the due resend', () => (conn.sent.length >= 3 ? true : undefined), 3000);
  conn.ackAll();
  await waitFor('both deleted on their PUBACK', () => (outbox.depth(DEVICE).total === 0 ? true : undefined), 3000);
});

t.test('a refusal in a receipt makes a permanent dead letter that is not resent', async (t) => {
  const { outbox, drainer, addEvent } = setup(t, 100, 100);
  const id = addEvent(1);
  const conn = fakeConnection();
  drainer.attach(conn.publish);
  conn.ackAll();
  await tick();
  await tick();
  drainer.receipt([], [{ payloadSha256: Buffer.alloc(32), id, code: 'FL_ERR_PROTO_INVALID' }]);
  t.equal(drainer.receiptCounters.refusedByCollector, 1);
  t.equal(outbox.deadLetters(DEVICE), 1);
  await new Promise((r) => setTimeout(r, 300));
  t.same(conn.sent, ['e1'], 'never sent again');
  drainer.attach(conn.publish);
  await tick();
  t.same(conn.sent, ['e1'], 'not even after a reconnect');
});
