/**
 * Receipts on the collector side: the ingest pipeline on a real SQLite store, its ReceiptSender
 * given a recording publish function. One receipt per device per committed batch, naming the
 * committed and the already stored (resent) events; a refusal for an event dropped as bad input;
 * none for other kinds, for a store failure or for a topic that names no device; a failing publish
 * is counted, never thrown.
 */
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { receiptsForBatch } from '../../collector/core/devices/receipt-batch.js';
import { IngestPipeline } from '../../collector/ingest/pipeline.js';
import { ReceiptSender } from '../../collector/ingest/receipt-sender.js';
import { decodeReceipt, encodeBirth, encodeFaultEvent } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import type { Receipt } from '../../protocol/values.js';
import { faultEvent } from '../helpers/delivery-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openTestStore } from '../helpers/test-database.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');

interface Published {
  topic: string;
  receipt: Receipt;
  qos: number;
}

function setup(t: Test, opts: { failPublish?: boolean; failStore?: boolean } = {}) {
  const dir = tempDir();
  t.teardown(dir.remove);
  const store = openTestStore(dir.path, NOW);
  t.teardown(() => store.close());
  const published: Published[] = [];
  const sender = new ReceiptSender({
    publish: async (topic, payload, qos) => {
      if (opts.failPublish) throw new Error('broker gone');
      published.push({ topic, receipt: decodeReceipt(payload), qos });
    },
    log: silentLogger(), now: () => NOW,
  });
  const sink = opts.failStore ? { commit: async () => { throw new Error('SQLITE_FULL'); } } : store.ingest;
  const pipeline = new IngestPipeline({ store: sink, log: silentLogger(), now: () => NOW, receipts: sender });
  pipeline.start();
  t.teardown(() => pipeline.stop());
  return { pipeline, sender, published };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

t.test('one receipt per device per batch, naming its committed events; other kinds get none', async (t) => {
  const { pipeline, sender, published } = setup(t);
  const a1 = faultEvent('plant', 'd1', 1);
  const a2 = faultEvent('plant', 'd1', 2);
  const b1 = faultEvent('plant', 'd2', 1);
  const birth = encodeBirth({ device: 'd1', site: 'plant', adapterId: '', model: 'VFD-4000', firmware: '1', agentVersion: '0', parameters: [], timeMs: 1, sessionId: 's' });
  await Promise.all([
    pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(a1), 'c1'),
    pipeline.handle('fl/v1/plant/d2/event', encodeFaultEvent(b1), 'c2'),
    pipeline.handle('fl/v1/plant/d1/birth', birth, 'c1'),
    pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(a2), 'c1'),
  ]);
  await settle();
  t.equal(published.length, 2, 'one batch, two devices');
  const byTopic = new Map(published.map((p) => [p.topic, p]));
  t.same(byTopic.get('fl/v1/plant/d1/receipt')?.receipt.eventIds, [a1.id, a2.id], 'd1: both its events, in order');
  t.same(byTopic.get('fl/v1/plant/d2/receipt')?.receipt.eventIds, [b1.id]);
  t.ok(published.every((p) => p.qos === 1 && p.receipt.timeMs === NOW && p.receipt.refused.length === 0));
  t.same(sender.snapshot(), { sent: 2, events: 3, refused: 0, failed: 0 });
});

t.test('a resend of a stored event is receipted again (else the agent would resend it forever)', async (t) => {
  const { pipeline, published } = setup(t);
  const e = faultEvent('plant', 'd1', 1);
  await pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(e), 'c1');
  await pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(e), 'c1');
  await settle();
  t.equal(pipeline.counters.snapshot().duplicates, 1, 'the store refused the duplicate');
  t.same(published.map((p) => p.receipt.eventIds), [[e.id], [e.id]], 'and it was receipted both times');
});

t.test('an event dropped as bad input gets a refusal naming its payload digest; a topic with no device gets nothing', async (t) => {
  const { pipeline, sender, published } = setup(t);
  const garbage = Buffer.from([0xff, 0xff, 0xff, 0x01]);
  await pipeline.handle('fl/v1/plant/d1/event', garbage, 'c1');
  const wrongDevice = encodeFaultEvent(faultEvent('plant', 'd9', 1));
  await pipeline.handle('fl/v1/plant/d1/event', wrongDevice, 'c1');
  await pipeline.handle('fl/v1/plant/d1/status', garbage, 'c1');
  await pipeline.handle('not/a/faultline/topic', garbage, 'c1');
  await settle();
  t.equal(published.length, 2, 'two refusals: the bad status and the bad topic get none');
  const [first, second] = published;
  t.equal(first?.topic, 'fl/v1/plant/d1/receipt');
  t.same(first?.receipt.eventIds, []);
  t.same(Buffer.from(first!.receipt.refused[0]!.payloadSha256), createHash('sha256').update(garbage).digest(), 'named by the SHA-256 of the payload as published');
  t.equal(first?.receipt.refused[0]?.code, 'FL_ERR_PROTO_DECODE');
  t.equal(second?.receipt.refused[0]?.code, 'FL_ERR_INGEST_WRONG_TOPIC', 'sent to the topic\'s device, the one that published it');
  t.same(Buffer.from(second!.receipt.refused[0]!.payloadSha256), createHash('sha256').update(wrongDevice).digest());
  t.same(sender.snapshot(), { sent: 2, events: 0, refused: 2, failed: 0 });
});

t.test('no receipt when the store fails: the message is not acknowledged and the sender redelivers', async (t) => {
  const { pipeline, published } = setup(t, { failStore: true });
  await t.rejects(pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(faultEvent('plant', 'd1', 1)), 'c1'), { code: 'FL_ERR_STORE_WRITE' });
  await settle();
  t.same(published, []);
});

t.test('a publish that fails is counted, not thrown, and ingest goes on', async (t) => {
  const { pipeline, sender } = setup(t, { failPublish: true });
  await pipeline.handle('fl/v1/plant/d1/event', encodeFaultEvent(faultEvent('plant', 'd1', 1)), 'c1');
  await settle();
  t.equal(pipeline.counters.snapshot().eventsCommitted, 1, 'the event is stored all the same');
  t.same(sender.snapshot(), { sent: 0, events: 0, refused: 0, failed: 1 });
});

t.test('receiptsForBatch: pure grouping, events only', async (t) => {
  const e1 = faultEvent('s', 'a', 1);
  const e2 = faultEvent('s', 'b', 1);
  const batch = [
    { kind: 'event' as const, receivedMs: 1, event: e1 },
    { kind: 'death' as const, receivedMs: 1, death: { device: 'a', site: 's', timeMs: 0, sessionId: '', reason: '' } },
    { kind: 'event' as const, receivedMs: 1, event: e2 },
  ];
  t.same(receiptsForBatch(batch, ['committed', 'committed', 'duplicate'], 7), [
    { site: 's', device: 'a', timeMs: 7, eventIds: [e1.id], refused: [] },
    { site: 's', device: 'b', timeMs: 7, eventIds: [e2.id], refused: [] },
  ]);
  t.same(receiptsForBatch([], [], 7), []);
});
