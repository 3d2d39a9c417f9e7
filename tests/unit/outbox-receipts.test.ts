/**
 * The outbox's receipt state on real files, time injected: a PUBACKed event is "sent" (kept, out of
 * peek, due again on the resend policy), a receipt deletes it, a collector's refusal makes it a
 * permanent dead letter; all of it survives a reopen. Plus the resend policy as a table.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { resendAt, resendDelayMs, type ResendPolicy } from '../../agent/core/receipt-resend.js';
import { openOutbox, type NewOutboxMessage, type Outbox } from '../../agent/outbox/index.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import { faultEvent } from '../helpers/delivery-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEVICE = 'plant/d1';
const POLICY: ResendPolicy = { firstMs: 1000, maxMs: 5000 };
const T0 = 1_800_000_000_000;

function event(seq: number, device = DEVICE): NewOutboxMessage {
  const e = faultEvent('plant', device.split('/')[1] ?? 'd1', seq);
  return { device, kind: 'event', topic: `fl/v1/${device}/event`, payload: Buffer.from(encodeFaultEvent(e)), qos: 1, eventId: e.id };
}

function fresh(t: Test): { outbox: Outbox; file: string; reopen: () => Outbox } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  let current = openOutbox({ file, log: silentLogger(), now: () => T0 });
  t.teardown(() => current.close());
  return {
    outbox: current, file,
    reopen: () => {
      current.close();
      current = openOutbox({ file, log: silentLogger(), now: () => T0 });
      return current;
    },
  };
}

const seqsOf = (msgs: Array<{ seq: number }>): number[] => msgs.map((m) => m.seq);

t.test('resend policy: first wait, doubling, bounded', async (t) => {
  const table: Array<[number, number]> = [[0, 1000], [1, 1000], [2, 2000], [3, 4000], [4, 5000], [5, 5000], [1000, 5000]];
  for (const [sends, ms] of table) t.equal(resendDelayMs(sends, POLICY), ms, `after send ${sends}: ${ms} ms`);
  t.equal(resendAt(T0, 2, POLICY), T0 + 2000);
  t.equal(resendDelayMs(3, { firstMs: 500, maxMs: 500 }), 500, 'a flat policy');
});

t.test('a PUBACKed event is kept, leaves peek, and is due again on the policy; a receipt deletes it', async (t) => {
  const { outbox } = fresh(t);
  const [a, b, c] = [event(1), event(2), event(3)];
  const seqs = outbox.appendMany([a, b, c]) as number[];
  t.equal(outbox.markSent([seqs[0]!, seqs[1]!], T0, POLICY), 2);
  t.same(seqsOf(outbox.peek(0, 10)), [seqs[2]], 'sent events are not sent again as new ones');
  t.equal(outbox.depth(DEVICE).event, 3, 'but still stored');
  t.equal(outbox.unreceipted(DEVICE), 2);
  t.equal(outbox.unreceipted(), 2);
  t.same(outbox.dueResends(DEVICE, T0 + 999, 10), [], 'not due before the first wait');
  t.same(seqsOf(outbox.dueResends(DEVICE, T0 + 1000, 10)), [seqs[0], seqs[1]], 'due after it, in seq order');
  t.same(seqsOf(outbox.dueResends(DEVICE, T0 + 1000, 1)), [seqs[0]], 'limited');
  t.equal(outbox.nextResendAtMs(DEVICE), T0 + 1000);

  // resent and acknowledged again: the wait doubles
  t.equal(outbox.markSent([seqs[0]!], T0 + 1000, POLICY), 1);
  t.same(seqsOf(outbox.dueResends(DEVICE, T0 + 2999, 10)), [seqs[1]], 'the resent one waits twice as long');
  t.same(seqsOf(outbox.dueResends(DEVICE, T0 + 3000, 10)), [seqs[0], seqs[1]]);

  t.equal(outbox.receipt(DEVICE, [a.eventId!, c.eventId!, 'not-ours']), 2, 'a receipt deletes sent and unsent events alike; unknown ids are ignored');
  t.equal(outbox.receipt('plant/other', [b.eventId!]), 0, 'another device\'s receipt does not touch this device\'s events');
  t.same(outbox.depth(DEVICE), { event: 1, telemetry: 0, status: 0, total: 1 });
  t.equal(outbox.unreceipted(DEVICE), 1);
  t.equal(outbox.markSent([seqs[0]!], T0, POLICY), 0, 'a PUBACK after the receipt finds nothing to mark');
  t.equal(outbox.receipt(DEVICE, [b.eventId!]), 1);
  t.equal(outbox.depth().total, 0);
  t.equal(outbox.nextResendAtMs(DEVICE), undefined, 'nothing waits');
});

t.test('only events are marked sent; telemetry is never kept for a receipt', async (t) => {
  const { outbox } = fresh(t);
  const [tel] = outbox.appendMany([{ device: DEVICE, kind: 'telemetry', topic: 't', payload: Buffer.from('x'), qos: 1 }]) as number[];
  t.equal(outbox.markSent([tel!], T0, POLICY), 0);
  t.same(seqsOf(outbox.peek(0, 10)), [tel]);
});

t.test('sent state, send counts and resend times survive a reopen', async (t) => {
  const { outbox, reopen } = fresh(t);
  const e = event(1);
  const [seq] = outbox.appendMany([e, event(2)]) as number[];
  outbox.markSent([seq!], T0, POLICY);
  outbox.markSent([seq!], T0, POLICY);
  const again = reopen();
  t.equal(again.unreceipted(DEVICE), 1);
  t.equal(again.nextResendAtMs(DEVICE), T0 + 2000, 'two sends: the second wait');
  t.same(again.peek(0, 10).length, 1, 'the unsent one is still to send');
  t.equal(again.receipt(DEVICE, [e.eventId!]), 1, 'the id is stored with the event');
});

t.test('a collector refusal (by payload digest or id) makes a permanent dead letter, never requeued', async (t) => {
  const { outbox, reopen } = fresh(t);
  const bad = event(1);
  const byId = event(2);
  const good = event(3);
  const seqs = outbox.appendMany([bad, byId, good]) as number[];
  outbox.markSent(seqs, T0, POLICY);
  const digest = createHash('sha256').update(bad.payload).digest();
  const marked = outbox.refuse(DEVICE, [
    { payloadSha256: digest, id: '', code: 'FL_ERR_PROTO_DECODE' },
    { payloadSha256: Buffer.alloc(32), id: byId.eventId!, code: 'FL_ERR_PROTO_INVALID' },
  ]);
  t.same(marked, [seqs[0], seqs[1]]);
  t.equal(outbox.deadLetters(DEVICE), 2);
  t.same(seqsOf(outbox.dueResends(DEVICE, T0 + 10_000, 10)), [seqs[2]], 'refused events are never resent');
  t.equal(outbox.unreceipted(DEVICE), 1, 'nor counted as awaiting a receipt');
  t.equal(outbox.requeueDeadLetters(DEVICE), 0, 'a reconnect does not make them sendable again');
  const again = reopen();
  t.equal(again.deadLetters(DEVICE), 2, 'kept across a reopen');
  t.same(again.peek(0, 10), [], 'and still not sendable');
  t.same(again.refuse(DEVICE, [{ payloadSha256: Buffer.alloc(32, 1), id: '', code: 'x' }]), [], 'an unknown digest matches nothing');
});

t.test('a schema 2 file is upgraded: stored events get their id from the payload, so receipts find them', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  const first = openOutbox({ file, log: silentLogger() });
  first.close();
  // Roll the fresh file back to schema 2, as an older agent left it, with one event and one undecodable one.
  const raw = new Database(file);
  raw.exec('DROP INDEX outbox_event_id; DROP INDEX outbox_resend; ALTER TABLE outbox DROP COLUMN event_id; ALTER TABLE outbox DROP COLUMN sends; ALTER TABLE outbox DROP COLUMN resend_at_ms; PRAGMA user_version = 2;');
  const e = event(1);
  raw.prepare("INSERT INTO outbox (device, kind, topic, payload, qos, created_ms, bytes) VALUES (?, 'event', 't', ?, 1, 1, 10)").run(DEVICE, e.payload);
  raw.prepare("INSERT INTO outbox (device, kind, topic, payload, qos, created_ms, bytes) VALUES (?, 'event', 't', x'ffffff', 1, 1, 10)").run(DEVICE);
  raw.close();
  const outbox = openOutbox({ file, log: silentLogger() });
  t.teardown(() => outbox.close());
  t.equal(outbox.depth(DEVICE).event, 2, 'both kept');
  t.equal(outbox.receipt(DEVICE, [e.eventId!]), 1, 'the decodable one is found by its id');
  t.equal(outbox.depth(DEVICE).event, 1);
});
