/** Bytes → lines with end offsets: the same lines whatever the read sizes; over-long lines cut on a character boundary. */
import t from 'tap';
import { CLIP_MARK, LineSplitter, utf8Prefix, type SplitOutput } from '../../agent/sources/line-splitter.js';

t.equal(CLIP_MARK, '…[clipped]', 'the mark a clipped line ends with');

const input = Buffer.from('first\r\nzweite Zeile mit Ümläuten ✓\n\nlong line 0123456789abcdef\nrest without newline', 'utf8');

function split(bytes: Buffer, chunk: number, max: number): { out: SplitOutput; rest: string | undefined; truncated: number } {
  const s = new LineSplitter(max);
  const out: SplitOutput = { lines: [], ends: [] };
  for (let at = 0; at < bytes.length; at += chunk) s.feed(bytes.subarray(at, at + chunk), at, out);
  const rest = s.takePartial();
  return { out, rest, truncated: s.truncated };
}

t.test('every read size gives the same lines, ends and partial rest', async (t) => {
  const want = split(input, input.length, 1000);
  t.same(want.out.lines, ['first', 'zweite Zeile mit Ümläuten ✓', '', 'long line 0123456789abcdef']);
  t.same(want.out.ends, [7, 39, 40, 67], 'offsets just past each newline');
  t.equal(want.rest, 'rest without newline');
  for (let chunk = 1; chunk <= input.length; chunk++) {
    const got = split(input, chunk, 1000);
    t.same([got.out, got.rest], [want.out, want.rest], `read ${chunk} bytes at a time`);
  }
});

t.test('over-long lines keep maxLineBytes, cut on a character boundary, whatever the read size', async (t) => {
  for (const chunk of [1, 3, 7, 64]) {
    const got = split(input, chunk, 18); // byte 18 is the middle of 'Ü'
    t.same(got.out.lines, ['first', `zweite Zeile mit ${CLIP_MARK}`, '', `long line 01234567${CLIP_MARK}`], `read ${chunk} bytes at a time: a clipped line says so`);
    t.same(got.out.ends, [7, 39, 40, 67], 'offsets still count every byte');
    t.equal(got.rest, `rest without newli${CLIP_MARK}`, 'the unterminated rest is bounded too');
    t.equal(got.truncated, 3);
  }
  t.equal(utf8Prefix(Buffer.from('aé'), 2).toString(), 'a', 'never half a character');
  t.equal(utf8Prefix(Buffer.from('a✓b'), 4).toString(), 'a✓');
});
