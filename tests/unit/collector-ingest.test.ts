import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import type { CommitOutcome, IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { IngestPipeline } from '../../collector/ingest/pipeline.js';
import { LAST_ERRORS_KEPT } from '../../collector/ingest/counters.js';
import { encodeBirth, encodeDeath, encodeFaultEvent, encodeStatus, encodeTelemetry } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';

const NOW = Date.parse('2024-03-05T12:00:00Z');

function event(over: Partial<FaultEvent> = {}): FaultEvent {
  return {
    id: '018e0f3a-0000-7000-8000-000000000001', device: 'drive-1', site: 'plant-a', seq: 1, timeMs: NOW - 1000,
    source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition: 'raise',
    message: 'Output overcurrent', snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '', ...over,
  };
}

/** A store double that records what it was asked to commit. */
function fakeStore(opts: { fail?: boolean; duplicateIds?: string[] } = {}) {
  const committed: IngestMessage[] = [];
  return {
    committed,
    async commit(messages: readonly IngestMessage[]): Promise<CommitOutcome[]> {
      if (opts.fail) throw new Error('SQLITE_FULL: database or disk is full');
      committed.push(...messages);
      return messages.map((m) => (m.kind === 'event' && opts.duplicateIds?.includes(m.event.id) ? 'duplicate' : 'committed'));
    },
  };
}

function pipeline(store = fakeStore()) {
  const p = new IngestPipeline({ store, log: silentLogger(), now: () => NOW });
  p.start();
  return { p, store };
}

const TOPIC = 'fl/v1/plant-a/drive-1/event';

t.test('each kind is decoded, committed and counted', async (t) => {
  const { p, store } = pipeline();
  const base = { site: 'plant-a', device: 'drive-1' };
  await p.handle(TOPIC, encodeFaultEvent(event()), 'c1');
  await p.handle('fl/v1/plant-a/drive-1/birth', encodeBirth({ ...base, adapterId: '', model: 'VFD-4000', firmware: '1', agentVersion: '0', parameters: [], timeMs: 1, sessionId: 's' }), 'c1');
  await p.handle('fl/v1/plant-a/drive-1/death', encodeDeath({ ...base, timeMs: 0, sessionId: 's', reason: 'lost' }), null);
  await p.handle('fl/v1/plant-a/drive-1/telemetry', encodeTelemetry({ ...base, samples: [{ parameter: 'x', value: 1, quality: 'good', timeMs: 1 }] }), 'c1');
  await p.handle('fl/v1/plant-a/drive-1/status', encodeStatus({ ...base, timeMs: 1, uptimeS: 2, outboxDepth: 0, pollErrors: 0, eventsPublished: 1, outboxEvents: 0, outboxTelemetry: 0, outboxStatus: 0, outboxBytes: 0, evictedEvents: 0, evictedTelemetry: 0, evictedStatus: 0, drops: 0, connects: 0, disconnects: 0, resent: 0, rejected: 0, unsupported: [], deadLetters: 0, polls: 0, pollTimeouts: 0, pollExceptions: 0, pollLinkErrors: 0, outboxOldestAgeS: 0, logLinesClipped: 0 }), 'c1');
  t.same(store.committed.map((m) => m.kind), ['event', 'birth', 'death', 'telemetry', 'status']);
  t.ok(store.committed.every((m) => m.receivedMs === NOW), 'stamped with the receive time');
  const c = p.counters.snapshot();
  t.same(c.received, { event: 1, birth: 1, death: 1, telemetry: 1, status: 1 });
  t.equal(c.eventsCommitted, 1);
  t.same(c.lastErrors, []);
});

t.test('bad input is counted, remembered and dropped (the promise resolves: the message is acked)', async (t) => {
  const { p, store } = pipeline();
  const table: Array<{ name: string; topic: string; payload: Uint8Array; counter: 'badPayload' | 'wrongTopic'; code: string }> = [
    { name: 'garbage bytes', topic: TOPIC, payload: new Uint8Array([0xff, 0xff, 0xff, 0x01]), counter: 'badPayload', code: 'FL_ERR_PROTO_DECODE' },
    { name: 'missing id', topic: TOPIC, payload: encodeFaultEvent(event({ id: '' })), counter: 'badPayload', code: 'FL_ERR_PROTO_INVALID' },
    { name: 'seq 0', topic: TOPIC, payload: encodeFaultEvent(event({ seq: 0 })), counter: 'badPayload', code: 'FL_ERR_PROTO_INVALID' },
    { name: 'over-long code', topic: TOPIC, payload: encodeFaultEvent(event({ code: 'x'.repeat(200) })), counter: 'badPayload', code: 'FL_ERR_PROTO_INVALID' },
    { name: 'unknown kind', topic: 'fl/v1/plant-a/drive-1/nonsense', payload: encodeFaultEvent(event()), counter: 'wrongTopic', code: 'FL_ERR_TOPIC_MALFORMED' },
    { name: 'bad device id in topic', topic: 'fl/v1/plant-a/dr ive/event', payload: encodeFaultEvent(event()), counter: 'wrongTopic', code: 'FL_ERR_TOPIC_MALFORMED' },
    { name: 'payload from another device', topic: 'fl/v1/plant-a/drive-2/event', payload: encodeFaultEvent(event()), counter: 'wrongTopic', code: 'FL_ERR_INGEST_WRONG_TOPIC' },
    { name: 'payload from another site', topic: 'fl/v1/plant-b/drive-1/event', payload: encodeFaultEvent(event()), counter: 'wrongTopic', code: 'FL_ERR_INGEST_WRONG_TOPIC' },
  ];
  for (const row of table) {
    const before = p.counters.snapshot();
    await p.handle(row.topic, row.payload, 'c1');
    const after = p.counters.snapshot();
    t.equal(after[row.counter], before[row.counter] + 1, `${row.name}: counted as ${row.counter}`);
    t.match(after.lastErrors[0], { code: row.code, topic: row.topic, timeMs: NOW }, `${row.name}: remembered`);
  }
  t.equal(store.committed.length, 0, 'nothing reached the store');
});

t.test('a device without a clock still gets its event stored, at arrival time', async (t) => {
  const { p, store } = pipeline();
  await p.handle(TOPIC, encodeFaultEvent(event({ timeMs: 0 })), 'c1');
  const m = store.committed[0];
  t.equal(m?.kind === 'event' ? m.event.timeMs : undefined, NOW);
});

t.test('RPC traffic passes through untouched and uncounted', async (t) => {
  const { p, store } = pipeline();
  await p.handle('fl/v1/plant-a/drive-1/rpc/req', new Uint8Array([1, 2, 3]), 'c1');
  await p.handle('fl/v1/plant-a/drive-1/rpc/res', new Uint8Array([1, 2, 3]), 'c1');
  const c = p.counters.snapshot();
  t.equal(store.committed.length, 0);
  t.equal(c.badPayload + c.wrongTopic, 0);
});

t.test('duplicates are counted and not reported as committed events', async (t) => {
  const { p } = pipeline(fakeStore({ duplicateIds: [event().id] }));
  await p.handle(TOPIC, encodeFaultEvent(event()), 'c1');
  const c = p.counters.snapshot();
  t.equal(c.duplicates, 1);
  t.equal(c.eventsCommitted, 0);
});

t.test('a store failure rejects, so the broker drops the client and it redelivers', async (t) => {
  const { p } = pipeline(fakeStore({ fail: true }));
  await t.rejects(p.handle(TOPIC, encodeFaultEvent(event()), 'c1'), { code: 'FL_ERR_STORE_WRITE' });
  const c = p.counters.snapshot();
  t.equal(c.storeErrors, 1);
  t.match(c.lastErrors[0], { code: 'FL_ERR_STORE_WRITE', topic: TOPIC });
});

t.test('after stop nothing is accepted (and so nothing is acked)', async (t) => {
  const { p } = pipeline();
  await p.stop();
  await t.rejects(p.handle(TOPIC, encodeFaultEvent(event()), 'c1'), { code: 'FL_ERR_INGEST_STOPPED' });
});

t.test('the error list keeps only the newest entries', async (t) => {
  const { p } = pipeline();
  for (let i = 0; i < LAST_ERRORS_KEPT + 5; i++) await p.handle(`fl/v1/plant-a/drive-1/bad${i}`, new Uint8Array(), 'c1');
  const c = p.counters.snapshot();
  t.equal(c.wrongTopic, LAST_ERRORS_KEPT + 5);
  t.equal(c.lastErrors.length, LAST_ERRORS_KEPT);
  t.equal(c.lastErrors[0]?.topic, `fl/v1/plant-a/drive-1/bad${LAST_ERRORS_KEPT + 4}`, 'newest first');
});
