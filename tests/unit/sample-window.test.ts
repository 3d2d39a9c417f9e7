import t from 'tap';
import { SampleWindow } from '../../agent/core/sample-window.js';

const s = (parameter: string, timeMs: number, value = timeMs) => ({ parameter, value, quality: 'good' as const, timeMs });

t.test('keeps the last window of each parameter, bounded in count', async (t) => {
  const w = new SampleWindow(10_000, 5);
  for (let time = 0; time <= 20_000; time += 1000) w.add([s('a', time), s('b', time)]);
  const snap = w.snapshot(['a'], 20_000);
  t.same(snap.map((x) => x.timeMs), [16_000, 17_000, 18_000, 19_000, 20_000], 'count bound wins over the time window');
  t.equal(w.latest('b')?.timeMs, 20_000);
  t.same(w.snapshot(['missing'], 20_000), []);
  const all = w.snapshot([], 20_000);
  t.equal(all.length, 10, 'empty names = every parameter');
  t.ok(all.every((x, i) => i === 0 || all[i - 1]!.timeMs <= x.timeMs), 'oldest first');
});

t.test('drops samples older than the window', async (t) => {
  const w = new SampleWindow(3000);
  for (let time = 0; time <= 10_000; time += 1000) w.add([s('a', time)]);
  t.same(w.snapshot(['a'], 10_000).map((x) => x.timeMs), [7000, 8000, 9000, 10_000]);
});

t.test('a snapshot gives back the samples as added: good values rebuilt equal, the others as they were', async (t) => {
  const w = new SampleWindow(10_000);
  const added = [
    s('a', 1000, 1.5),
    { parameter: 'a', value: 0, quality: 'bad' as const, reason: 'timeout' as const, timeMs: 2000 },
    { parameter: 'a', value: 7, quality: 'stale' as const, reason: 'overdue' as const, timeMs: 3000 },
    { parameter: 'a', value: 3, quality: 'good' as const, timeMs: 4000, text: 'SN-1' },
    { parameter: 'a', value: 120, quality: 'uncertain' as const, reason: 'out-of-range' as const, timeMs: 5000 },
    s('a', 6000, Number.NaN),
  ];
  for (const x of added) w.add([x]);
  t.same(w.snapshot(['a'], 6000), added);
  t.same(w.latest('a'), added[5]);
});
