/**
 * Stale quality on the agent (issue #14, item 2): a value nothing new was said of for longer than
 * staleFactor × its poll interval goes out once as stale, with the last value and why (overdue);
 * a failed read (bad) never turns into a stale old value; the next read ends the episode.
 * Time is injected: every step below names the clock.
 */
import t from 'tap';
import { Freshness, MIN_STALE_MS } from '../../agent/core/freshness.js';
import type { Quality, Sample } from '../../protocol/values.js';

const sample = (parameter: string, timeMs: number, value: number, quality: Quality = 'good'): Sample =>
  (quality === 'good' ? { parameter, value, quality, timeMs } : { parameter, value, quality, reason: quality === 'bad' ? 'timeout' : 'out-of-range', timeMs });

t.test('a value not refreshed within factor × interval is sent stale once, with its last value and why', async (t) => {
  const f = new Freshness(2);
  f.watch('speed', 1000, 0);
  f.observe([sample('speed', 1000, 50)]);
  t.same(f.overdue(2000), [], '1 interval without a read: not yet');
  t.same(f.overdue(3000), [], 'exactly 2 intervals: not yet');
  t.same(f.overdue(3001), [{ parameter: 'speed', value: 50, quality: 'stale', reason: 'overdue', timeMs: 3001 }], 'past 2 intervals: stale, last value, when judged');
  t.same(f.overdue(9000), [], 'once per episode, not repeated');
  f.observe([sample('speed', 9500, 51)]);
  t.same(f.overdue(11_000), [], 'a fresh read ends the episode');
  t.equal(f.overdue(11_501).length, 1, 'and a new one can start');
});

t.test('the factor and each parameter\'s own interval decide', async (t) => {
  const f = new Freshness(3);
  f.watch('fast', 250, 0);
  f.watch('slow', 10_000, 0);
  f.observe([sample('fast', 0, 1), sample('slow', 0, 2)]);
  t.same(f.overdue(751), [], 'fast: 3 × 250 ms is under the 1 s floor');
  t.same(f.overdue(1001).map((s) => s.parameter), ['fast'], 'fast: past the 1 s floor (timer jitter never makes it flicker)');
  t.same(f.overdue(29_000), [], 'slow: 29 s is within 3 × 10 s');
  t.same(f.overdue(30_001).map((s) => s.parameter), ['slow']);
  t.equal(f.intervalOf('slow'), 10_000);
  t.equal(f.intervalOf('unknown'), undefined);
  t.equal(MIN_STALE_MS, 1000);
});

t.test('a failed read says "no value": it is not turned into a stale old value', async (t) => {
  const f = new Freshness(2);
  f.watch('speed', 1000, 0);
  f.observe([sample('speed', 1000, 50)]);
  f.observe([sample('speed', 2000, 0, 'bad')]);
  t.same(f.overdue(60_000), [], 'bad stays bad however old');
  f.observe([sample('speed', 61_000, 49)]);
  t.same(f.overdue(63_001).map((s) => s.value), [49], 'after a good read again, stale carries the new value');
});

t.test('an uncertain value keeps its value when stale; text parameters keep their text', async (t) => {
  const f = new Freshness(2);
  f.watch('temp', 1000, 0);
  f.watch('serial', 1000, 0);
  f.observe([sample('temp', 0, 3276.7, 'uncertain'), { parameter: 'serial', value: 4, quality: 'good', timeMs: 0, text: 'SN-1' }]);
  const stale = f.overdue(2001);
  t.same(stale.map((s) => [s.parameter, s.value, s.quality, s.text]), [['temp', 3276.7, 'stale', undefined], ['serial', 4, 'stale', 'SN-1']]);
});

t.test('nothing to be stale: never read, not watched, or an older sample arriving late', async (t) => {
  const f = new Freshness(2);
  f.watch('speed', 1000, 0);
  t.same(f.overdue(10_000), [], 'never read: nothing known, nothing shown as fresh');
  f.observe([sample('other', 10_000, 1)]);
  t.same(f.overdue(20_000), [], 'unwatched parameters are ignored');
  f.observe([sample('speed', 20_000, 5)]);
  f.observe([sample('speed', 19_000, 4)]);
  t.same(f.overdue(22_001).map((s) => s.value), [5], 'a late older sample does not replace the newer value');
});

t.test('watching again changes the interval only', async (t) => {
  const f = new Freshness(2);
  f.watch('speed', 1000, 0);
  f.observe([sample('speed', 0, 7)]);
  f.watch('speed', 5000, 100_000);
  t.same(f.overdue(9000), [], 'the new 5 s interval applies');
  t.same(f.overdue(10_001).map((s) => s.value), [7], 'and the value observed before is kept');
});
