/** Multi-line records kept whole; line hygiene (binary, invalid UTF-8); the recent-lines ring. */
import t from 'tap';
import { classifyLine, MultilineAssembler, type AssembledRecord } from '../../agent/core/log-parsers/index.js';
import { RecentLines } from '../../agent/core/recent-lines.js';

/** Feeds lines (each with its index as marker) at the given times; returns what came out, as [text, end]. */
function feed(asm: MultilineAssembler<number>, lines: Array<[string, number]>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const take = (r: AssembledRecord<number> | undefined): void => { if (r) out.push([r.text, r.end]); };
  lines.forEach(([line, at], i) => take(asm.push(line, i, at)));
  return out;
}

t.test('a Java stack trace is one record, handed out when the next record starts', async (t) => {
  const asm = new MultilineAssembler<number>();
  const trace = [
    'Mar 10 11:00:00 gw app[9]: Exception in thread "main" java.lang.IllegalStateException: valve stuck',
    '\tat com.plant.Valve.open(Valve.java:42)',
    '    at com.plant.Main.main(Main.java:7)',
    'Caused by: java.io.IOException: bus timeout',
    '\t... 3 more',
    'at bare.frame(X.java:1)',
    '...',
  ];
  const out = feed(asm, [...trace.map((l): [string, number] => [l, 0]), ['Mar 10 11:00:01 gw app[9]: recovered', 0]]);
  t.same(out, [[trace.join('\n'), 6]], 'every continuation form joins the record; its end is its last line');
  t.ok(asm.pending, 'the next record waits');
  t.same(asm.flush()?.text, 'Mar 10 11:00:01 gw app[9]: recovered');
  t.equal(asm.flush(), undefined, 'nothing left');
});

t.test('flush timeout counts from the last line', async (t) => {
  const asm = new MultilineAssembler<number>({ flushMs: 1000 });
  asm.push('first', 1, 0);
  t.equal(asm.due(999), undefined);
  t.equal(asm.nextDueMs(), 1000);
  asm.push('  more', 2, 800);
  t.equal(asm.due(1500), undefined, 'a continuation line restarts the wait');
  t.same(asm.due(1800), { text: 'first\n  more', lines: 2, end: 2 });
  t.equal(asm.nextDueMs(), undefined);
  t.equal(asm.due(99_999), undefined);
});

t.test('rules: start pattern, custom continuation pattern', async (t) => {
  const byStart = new MultilineAssembler<number>({ startPattern: /^\d{4}-\d\d-\d\d / });
  t.same(feed(byStart, [['2025-03-10 a', 0], ['not indented but continues', 0], ['2025-03-10 b', 0]]), [['2025-03-10 a\nnot indented but continues', 1]]);
  const byCont = new MultilineAssembler<number>({ continuationPattern: /^\+/ });
  t.same(feed(byCont, [['a', 0], ['+x', 0], ['  indented starts a record here', 0]]), [['a\n+x', 1]]);
  const orphan = new MultilineAssembler<number>();
  t.same(feed(orphan, [['\tat orphan continuation', 0], ['next', 0]]), [['\tat orphan continuation', 0]], 'a continuation with nothing before it is a record of its own');
});

t.test('an endless record is split at maxLines / maxChars and the split counted', async (t) => {
  const asm = new MultilineAssembler<number>({ maxLines: 3 });
  const out = feed(asm, [['head', 0], [' 1', 0], [' 2', 0], [' 3', 0], [' 4', 0]]);
  t.same(out, [['head\n 1\n 2', 2]]);
  t.equal(asm.splits, 1);
  const byChars = new MultilineAssembler<number>({ maxChars: 12 });
  t.same(feed(byChars, [['12345', 0], [' 6789', 0], [' abcd', 0]]), [['12345\n 6789', 1]]);
  t.equal(byChars.splits, 1);
});

t.test('skipped lines: committed at once when nothing is pending, else with the pending record', async (t) => {
  const asm = new MultilineAssembler<number>();
  t.equal(asm.skip(1), 1, 'nothing pending: commit it now');
  asm.push('record', 2, 0);
  t.equal(asm.skip(3), undefined, 'pending: not yet');
  const out = asm.push('next', 4, 0);
  t.same(out, { text: 'record', lines: 1, end: 3 }, 'the record ends past the skipped line');
});

t.test('line hygiene: binary skipped, invalid UTF-8 kept when mostly text', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['plain text', 'Mar 10 11:00:00 gw app: ok', 'text'],
    ['tabs and a colour code', '\tat x \u001b[31mERROR\u001b[0m in module y', 'text'],
    ['a NUL byte', 'abc\u0000def', 'binary'],
    ['mostly control characters', '\u0001\u0002\u0003\u0004ab', 'binary'],
    ['random bytes decoded as UTF-8', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x9c, 0xff, 0x41, 0xfe, 0x02]).toString('utf8'), 'binary'],
    ['one Latin-1 umlaut in a line', Buffer.from('St\xf6rung am Antrieb 3: Temperatur zu hoch', 'latin1').toString('utf8'), 'replaced'],
    ['empty', '', 'text'],
  ];
  for (const [name, line, want] of cases) t.equal(classifyLine(line), want, name);
});

t.test('recent lines: a bounded ring, oldest first, long lines shortened', async (t) => {
  const ring = new RecentLines(3, 10);
  t.same(ring.last(5), []);
  ring.push('a');
  ring.pushText('b\nc');
  t.same(ring.last(5), ['a', 'b', 'c']);
  ring.push('d');
  t.same(ring.last(5), ['b', 'c', 'd'], 'the oldest falls out');
  t.same(ring.last(2), ['c', 'd']);
  t.same(ring.last(0), []);
  ring.push('x'.repeat(50));
  t.same(ring.last(1), [`${'x'.repeat(9)}…`]);
  t.equal(ring.size, 3);
  t.throws(() => new RecentLines(0));
});
