/** The guarded log sink (issue #15 item 4): bounded, never throws, says each state change once. */
import { EventEmitter } from 'node:events';
import t from 'tap';
import { guardedSink } from '../../runtime/log-sink.js';

class FakeStream extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  throwOnWrite = false;
  write(chunk: string): boolean {
    if (this.throwOnWrite) throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    this.written.push(chunk);
    return true;
  }
}

t.test('lines beyond the pending limit are dropped and counted; the drain says how many', async (t) => {
  const stream = new FakeStream();
  const notes: string[] = [];
  const sink = guardedSink(stream, (l) => notes.push(l), 100);
  sink.write('a'.repeat(40));
  stream.writableLength = 80; // the reader stopped reading
  sink.write('b'.repeat(40));
  sink.write('c'.repeat(40));
  t.same(stream.written, ['a'.repeat(40)], 'only the line that fitted was written');
  t.equal(sink.state.dropped, 2);
  t.equal(notes.length, 1, 'the stall is said once');
  t.match(notes[0], /stdout is not reading \(80 bytes waiting\)/);
  stream.writableLength = 0;
  stream.emit('drain');
  t.match(notes[1], /reading again; 2 log lines were dropped/);
  sink.write('d');
  t.same(stream.written.at(-1), 'd', 'writes again once drained');
});

t.test('a stream error (EPIPE) drops the sink for good, said once; a throwing write never reaches the caller', async (t) => {
  const stream = new FakeStream();
  const notes: string[] = [];
  const sink = guardedSink(stream, (l) => notes.push(l));
  stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  sink.write('lost');
  t.same(stream.written, []);
  t.equal(sink.state.failed, true);
  t.equal(sink.state.dropped, 1);
  t.same(notes, ['faultline: stdout is closed (EPIPE); log lines are dropped from now on, the process goes on\n']);

  const throwing = new FakeStream();
  throwing.throwOnWrite = true;
  const notes2: string[] = [];
  const sink2 = guardedSink(throwing, (l) => notes2.push(l));
  t.doesNotThrow(() => sink2.write('x'));
  t.equal(sink2.state.failed, true);
  t.equal(notes2.length, 1);
});
