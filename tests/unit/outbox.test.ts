/** The durable outbox on real files in temp dirs: order, ack, eviction, persistence, sequence numbers, bad files. */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openOutbox, type NewOutboxMessage, type Outbox, type OutboxKind } from '../../agent/outbox/index.js';
import { evictableFor, EVICTION_ORDER } from '../../agent/outbox/eviction.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Every test message counts 100 bytes against maxBytes: 1-byte topic + 99-byte payload. */
function msg(kind: OutboxKind, tag: number, device = 'plant/d1'): NewOutboxMessage {
  const payload = Buffer.alloc(99, 0);
  payload.writeUInt32BE(tag, 0);
  return { device, kind, topic: 't', payload, qos: 1, createdMs: tag };
}

function tagOf(payload: Buffer): number {
  return payload.readUInt32BE(0);
}

function open(t: Test, file: string, maxBytes?: number): Outbox {
  const outbox = openOutbox({ file, log: silentLogger(), ...(maxBytes === undefined ? {} : { maxBytes }) });
  t.teardown(() => outbox.close());
  return outbox;
}

function fresh(t: Test, maxBytes?: number): { outbox: Outbox; file: string } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'agent', 'outbox.db');
  return { outbox: open(t, file, maxBytes), file };
}

t.test('messages come back in the order they were stored, filtered by device and kind', async (t) => {
  const { outbox } = fresh(t);
  const kinds: OutboxKind[] = ['telemetry', 'event', 'status', 'event', 'telemetry', 'event'];
  const seqs = kinds.map((k, i) => outbox.append(msg(k, i + 1, i % 2 ? 'plant/d2' : 'plant/d1')));
  t.ok(seqs.every((s, i) => s !== null && (i === 0 || s > seqs[i - 1]!)), 'seq grows');
  const all = outbox.peek(0, 100);
  t.same(all.map((m) => tagOf(m.payload)), [1, 2, 3, 4, 5, 6], 'global seq order');
  t.same(all.map((m) => m.kind), kinds);
  t.equal(all[0]!.topic, 't');
  t.equal(all[0]!.qos, 1);
  t.equal(all[0]!.createdMs, 1);
  t.equal(all[0]!.bytes, 100);
  t.same(outbox.peek(0, 2).map((m) => tagOf(m.payload)), [1, 2], 'limit');
  t.same(outbox.peek(all[2]!.seq, 100).map((m) => tagOf(m.payload)), [4, 5, 6], 'after a seq');
  t.same(outbox.peek(0, 100, { kinds: ['event'] }).map((m) => tagOf(m.payload)), [2, 4, 6], 'events only');
  t.same(outbox.peek(0, 100, { device: 'plant/d2', kinds: ['event'] }).map((m) => tagOf(m.payload)), [2, 4, 6], 'one device');
  t.same(outbox.peek(0, 100, { device: 'plant/d1' }).map((m) => tagOf(m.payload)), [1, 3, 5]);
  t.same(outbox.peek(0, 100, { device: 'plant/d1', kinds: ['telemetry', 'status'] }).map((m) => tagOf(m.payload)), [1, 3, 5]);
  t.same(outbox.depth(), { event: 3, telemetry: 2, status: 1, total: 6 });
  t.same(outbox.depth('plant/d2'), { event: 3, telemetry: 0, status: 0, total: 3 });
  t.equal(outbox.bytes(), 600);
  t.equal(outbox.bytes('plant/d1'), 300);

  const many = outbox.appendMany([msg('event', 7), msg('telemetry', 8)]);
  t.equal(many.length, 2);
  t.same(outbox.peek(seqs[5]!, 10).map((m) => tagOf(m.payload)), [7, 8], 'appendMany keeps its order');
});

t.test('ack deletes exactly the acknowledged messages', async (t) => {
  const { outbox } = fresh(t);
  const seqs = [1, 2, 3, 4, 5].map((i) => outbox.append(msg(i === 3 ? 'telemetry' : 'event', i))!);
  t.equal(outbox.ack([seqs[1]!, seqs[2]!, 999_999]), 2, 'an unknown seq is ignored');
  t.same(outbox.peek(0, 10).map((m) => tagOf(m.payload)), [1, 4, 5]);
  t.same(outbox.depth(), { event: 3, telemetry: 0, status: 0, total: 3 });
  t.equal(outbox.bytes(), 300);
  t.equal(outbox.ack([seqs[1]!]), 0, 'acking twice deletes nothing more');
  t.equal(outbox.ack([]), 0);
  outbox.ack([seqs[0]!, seqs[3]!, seqs[4]!]);
  t.same(outbox.depth(), { event: 0, telemetry: 0, status: 0, total: 0 });
  t.equal(outbox.bytes(), 0);
  const next = outbox.append(msg('event', 6))!;
  t.ok(next > seqs[4]!, 'seq keeps growing after the outbox emptied (AUTOINCREMENT)');
});

t.test('eviction policy: telemetry, then status, then events; nobody evicts a more important kind', async (t) => {
  t.same(EVICTION_ORDER, ['telemetry', 'status', 'event']);
  t.same(evictableFor('telemetry'), ['telemetry']);
  t.same(evictableFor('status'), ['telemetry', 'status']);
  t.same(evictableFor('event'), ['telemetry', 'status', 'event']);
});

t.test('a full outbox evicts telemetry first, then status, then the oldest events, and counts each', async (t) => {
  const { outbox } = fresh(t, 1024); // room for 10 messages
  // seqs 1..10: t1 e2 s3 t4 e5 s6 t7 e8 e9 e10
  const layout: OutboxKind[] = ['telemetry', 'event', 'status', 'telemetry', 'event', 'status', 'telemetry', 'event', 'event', 'event'];
  layout.forEach((k, i) => t.not(outbox.append(msg(k, i + 1, i % 2 ? 'plant/d2' : 'plant/d1')), null));
  t.equal(outbox.bytes(), 1000);
  const tags = (): number[] => outbox.peek(0, 100).map((m) => tagOf(m.payload));

  outbox.append(msg('event', 11));
  t.same(tags(), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'the oldest telemetry went first');
  outbox.appendMany([msg('event', 12), msg('event', 13)]);
  t.same(tags(), [2, 3, 5, 6, 8, 9, 10, 11, 12, 13], 'then the rest of the telemetry, oldest first');
  t.same(outbox.evictions(), { telemetry: 3, status: 0, event: 0 });
  t.same(outbox.evictions('plant/d1'), { telemetry: 2, status: 0, event: 0 }, 'counted per device');

  t.equal(outbox.append(msg('telemetry', 14)), null, 'telemetry cannot push out status or events: refused');
  t.same(outbox.evictions().telemetry, 4, 'the refusal is counted');
  t.same(tags(), [2, 3, 5, 6, 8, 9, 10, 11, 12, 13]);

  t.not(outbox.append(msg('status', 15)), null, 'a status may push out an older status');
  t.same(tags(), [2, 5, 6, 8, 9, 10, 11, 12, 13, 15]);
  outbox.append(msg('event', 16));
  outbox.append(msg('event', 17));
  t.same(tags(), [2, 5, 8, 9, 10, 11, 12, 13, 16, 17], 'then status, oldest first, before any event');
  t.same(outbox.evictions(), { telemetry: 4, status: 3, event: 0 });

  t.equal(outbox.append(msg('status', 18)), null, 'a status never pushes out an event');
  outbox.append(msg('event', 19));
  t.same(tags(), [5, 8, 9, 10, 11, 12, 13, 16, 17, 19], 'events go only when nothing else is left, oldest first');
  t.same(outbox.evictions(), { telemetry: 4, status: 4, event: 1 });
  t.same(outbox.depth(), { event: 10, telemetry: 0, status: 0, total: 10 });
  t.equal(outbox.bytes(), 1000, 'never over maxBytes');

  const big: NewOutboxMessage = { ...msg('event', 20), payload: Buffer.alloc(2000) };
  t.throws(() => outbox.append(big), { code: 'FL_ERR_OUTBOX_TOO_LARGE' }, 'a message larger than the whole outbox is an error');
  t.same(tags(), [5, 8, 9, 10, 11, 12, 13, 16, 17, 19], 'and nothing was evicted for it');
});

t.test('messages, counters and sequence numbers survive close and reopen', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  const first = openOutbox({ file, maxBytes: 1024, log: silentLogger() });
  for (let i = 1; i <= 10; i++) first.append(msg(i <= 2 ? 'telemetry' : 'event', i));
  first.append(msg('event', 11));
  const seqs = [first.nextSeq('plant/d1'), first.nextSeq('plant/d1'), first.nextSeq('plant/d2')];
  first.setState('log.offset', '{"inode":7,"pos":120}');
  const acked = first.peek(0, 1)[0]!.seq;
  first.ack([acked]);
  const lastSeq = first.peek(0, 100).at(-1)!.seq;
  first.close();
  first.close();
  t.throws(() => first.append(msg('event', 99)), { code: 'FL_ERR_OUTBOX_CLOSED' });

  const again = open(t, file, 1024);
  t.same(again.peek(0, 100).map((m) => tagOf(m.payload)), [3, 4, 5, 6, 7, 8, 9, 10, 11], 'the unacked messages, in order');
  t.same(again.depth(), { event: 9, telemetry: 0, status: 0, total: 9 });
  t.equal(again.bytes(), 900);
  t.same(again.evictions(), { telemetry: 1, status: 0, event: 0 }, 'eviction counters are persisted');
  t.same(seqs, [1, 2, 1]);
  t.equal(again.nextSeq('plant/d1'), 3, 'device seq continues after a restart');
  t.equal(again.nextSeq('plant/d2'), 2);
  t.equal(again.nextSeq('plant/d3'), 1, 'a new device starts at 1');
  t.ok(again.append(msg('event', 12))! > lastSeq, 'outbox seq continues too');
  t.equal(again.getState('log.offset'), '{"inode":7,"pos":120}', 'key/value state persisted');
  again.setState('log.offset', 'x');
  t.equal(again.getState('log.offset'), 'x');
  again.deleteState('log.offset');
  t.equal(again.getState('log.offset'), undefined);
});

t.test('appendSequenced stores the message and takes the number atomically', async (t) => {
  const { outbox } = fresh(t);
  const r1 = outbox.appendSequenced('plant/d1', (n) => msg('event', n));
  const r2 = outbox.appendSequenced('plant/d1', (n) => msg('event', n));
  t.same([r1.deviceSeq, r2.deviceSeq], [1, 2]);
  t.same(outbox.peek(0, 10).map((m) => tagOf(m.payload)), [1, 2], 'the builder saw the number');
  t.throws(() => outbox.appendSequenced('plant/d1', () => { throw new Error('encoder failed'); }), { code: 'FL_ERR_OUTBOX_WRITE' });
  t.throws(() => outbox.appendSequenced('plant/d1', (n) => ({ ...msg('event', n), payload: Buffer.alloc(128 * 1024 * 1024) })), { code: 'FL_ERR_OUTBOX_TOO_LARGE' });
  t.equal(outbox.appendSequenced('plant/d1', (n) => msg('event', n)).deviceSeq, 3, 'a failed append does not use up a number');
  t.equal(outbox.depth().event, 3);
});

t.test('appends are announced to listeners with their devices', async (t) => {
  const { outbox } = fresh(t);
  const heard: string[][] = [];
  const off = outbox.onAppend((devices) => heard.push([...devices].sort()));
  outbox.append(msg('event', 1, 'a/x'));
  outbox.appendMany([msg('event', 2, 'a/y'), msg('telemetry', 3, 'a/x')]);
  outbox.nextSeq('a/x');
  off();
  outbox.append(msg('event', 4, 'a/x'));
  t.same(heard, [['a/x'], ['a/x', 'a/y']]);
});

t.test('bad files are typed errors that name the file and the fix', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const garbage = join(dir.path, 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
  const err = (fn: () => unknown): Error & { code?: string; hint?: string } => {
    try {
      fn();
    } catch (e) {
      return e as Error & { code?: string };
    }
    throw new Error('expected an error');
  };
  const corrupt = err(() => openOutbox({ file: garbage, log: silentLogger() }));
  t.equal(corrupt.code, 'FL_ERR_OUTBOX_CORRUPT');
  t.match(corrupt.message, garbage);
  t.match(corrupt.hint, /move the file aside/);

  const notADir = join(dir.path, 'file');
  writeFileSync(notADir, 'x');
  const unopenable = err(() => openOutbox({ file: join(notADir, 'outbox.db'), log: silentLogger() }));
  t.equal(unopenable.code, 'FL_ERR_OUTBOX_OPEN');
  t.match(unopenable.message, notADir);

  const shared = join(dir.path, 'shared.db');
  open(t, shared);
  const locked = err(() => openOutbox({ file: shared, log: silentLogger() }));
  t.equal(locked.code, 'FL_ERR_OUTBOX_LOCKED', 'a second agent on the same file is refused at once');
  t.match(locked.message, shared);

  t.throws(() => openOutbox({ file: join(dir.path, 'small.db'), maxBytes: 10, log: silentLogger() }), { code: 'FL_ERR_OUTBOX_CONFIG' });
});

t.test('an outbox file of schema 1 (before dead letters) is upgraded in place, its messages kept', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  const v1 = new Database(file);
  v1.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('event', 'telemetry', 'status')),
      topic TEXT NOT NULL, payload BLOB NOT NULL, qos INTEGER NOT NULL CHECK (qos IN (0, 1)), created_ms INTEGER NOT NULL, bytes INTEGER NOT NULL);
    CREATE INDEX outbox_device_seq ON outbox (device, seq); CREATE INDEX outbox_kind_seq ON outbox (kind, seq);
    CREATE TABLE device_seq (device TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE evictions (device TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (device, kind));
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    INSERT INTO outbox (device, kind, topic, payload, qos, created_ms, bytes) VALUES ('plant/d1', 'event', 't', x'00000007', 1, 7, 5);
    INSERT INTO device_seq VALUES ('plant/d1', 1);
    PRAGMA user_version = 1;`);
  v1.close();
  const outbox = openOutbox({ file, log: silentLogger() });
  t.teardown(() => outbox.close());
  t.same(outbox.peek(0, 10).map((m) => tagOf(m.payload)), [7], 'the stored event is still there and sendable');
  t.equal(outbox.deadLetters(), 0);
  t.equal(outbox.nextSeq('plant/d1'), 2, 'the sequence goes on');
});
