/**
 * What other collectors ingested, on this collector's live stream (collector/live/remote-plant-feed.ts):
 * announcements of the same device coalesce into one read; reads are spaced by minIntervalMs and
 * take at most maxPerRead devices; nothing is kept or read while no stream is open; a resync or an
 * overflow becomes one read of the whole plant; a failing read is counted, logged and survived.
 */
import t from 'tap';
import type { DeviceKey, DeviceState } from '../../collector/core/devices/device-registry.js';
import { RemotePlantFeed, type RemotePlantFeedOptions } from '../../collector/live/remote-plant-feed.js';
import type { LatestSample } from '../../collector/store/port.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Waits (bounded: 3 s) until the condition holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await sleep(10);
}
const key = (device: string): DeviceKey => ({ site: 'plant-a', device });

function harness(over: Partial<RemotePlantFeedOptions> = {}) {
  const reads: Array<{ atMs: number; latest: DeviceKey[] | 'all' | null; devices: DeviceKey[] | 'all' | null }> = [];
  const chunks: string[] = [];
  const errors: unknown[] = [];
  let current: (typeof reads)[number] | undefined;
  const state = { listening: true, fail: false };
  const feed = new RemotePlantFeed({
    listening: () => state.listening,
    send: (c) => chunks.push(c),
    latest: async (keys) => {
      current = { atMs: performance.now(), latest: keys ? [...keys] : 'all', devices: null };
      reads.push(current);
      if (state.fail) throw new Error('database gone');
      const of = keys ?? [key('drive-1'), key('drive-2')];
      return of.map((k, i): LatestSample => ({ ...k, parameter: 'f', value: 10 + i, quality: 'good', timeMs: 1000 }));
    },
    devices: async (keys) => {
      if (current) current.devices = keys ? [...keys] : 'all';
      return (keys ?? [key('drive-1')]).map((k) => ({ ...k, online: true, lastSeenMs: 5 }) as DeviceState);
    },
    log: { warn: () => undefined, error: (o) => errors.push(o) },
    minIntervalMs: 40,
    ...over,
  });
  t.teardown(() => feed.stop());
  return { feed, reads, chunks, errors, state };
}

const events = (chunks: string[]): Array<{ event: string; data: unknown }> => chunks.join('').split('\n\n').filter(Boolean).map((block) => {
  const [e, d] = block.split('\n');
  return { event: (e ?? '').slice(7), data: JSON.parse((d ?? '').slice(6)) as unknown };
});

t.test('announcements of the same devices coalesce into one read, rendered as values and presence events', async (t) => {
  const { feed, reads, chunks } = harness();
  feed.onRemote({ values: [key('drive-1'), key('drive-2')], presence: [], resync: false });
  feed.onRemote({ values: [key('drive-1')], presence: [key('drive-3')], resync: false });
  await until(() => chunks.length > 0);
  await sleep(20);
  t.equal(reads.length, 1, 'one read');
  t.same(reads[0]?.latest, [key('drive-1'), key('drive-2')], 'each device once');
  t.same(reads[0]?.devices, [key('drive-3')]);
  t.same(events(chunks), [
    { event: 'values', data: { site: 'plant-a', device: 'drive-1', values: [{ name: 'f', value: 10, quality: 'good', timeMs: 1000 }] } },
    { event: 'values', data: { site: 'plant-a', device: 'drive-2', values: [{ name: 'f', value: 11, quality: 'good', timeMs: 1000 }] } },
    { event: 'presence', data: { site: 'plant-a', device: 'drive-3', online: true, lastSeenMs: 5 } },
  ]);
  t.match(feed.snapshot(), { announcements: 2, reads: 1, devicesSent: 2 });
});

t.test('reads are spaced by minIntervalMs and take at most maxPerRead devices', async (t) => {
  const { feed, reads } = harness({ maxPerRead: 3 });
  feed.onRemote({ values: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(key), presence: [], resync: false });
  await until(() => reads.length === 3);
  t.same(reads.map((r) => (Array.isArray(r.latest) ? r.latest.map((k) => k.device) : r.latest)), [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']], 'split into reads of three');
  for (let i = 1; i < reads.length; i++) {
    const gap = (reads[i]?.atMs ?? 0) - (reads[i - 1]?.atMs ?? 0);
    // Unspaced reads would come < 1 ms apart. Node's timers count whole milliseconds and may fire up to
    // 1 ms early, and each stamp is taken inside its read a little after it starts: 2 ms of slack.
    t.ok(gap >= 38, `read ${i + 1} came ${gap.toFixed(1)} ms after the one before (minIntervalMs 40)`);
  }
});

t.test('an announcement within minIntervalMs of the last read waits for the rest of it', async (t) => {
  const clock = { now: 1000 };
  const { feed, reads } = harness({ clock: () => clock.now, minIntervalMs: 200 });
  feed.onRemote({ values: [key('a')], presence: [], resync: false });
  await until(() => reads.length === 1);
  t.pass('the first announcement is read at once');
  clock.now = 1050;
  const announced = performance.now();
  feed.onRemote({ values: [key('b')], presence: [], resync: false });
  await sleep(50);
  t.equal(reads.length, 1, 'not yet: 150 ms of the interval are left');
  await until(() => reads.length === 2);
  t.ok((reads[1]?.atMs ?? 0) - announced >= 149, `read ${((reads[1]?.atMs ?? 0) - announced).toFixed(0)} ms after the announcement`);
});

t.test('no stream open: nothing is kept or read', async (t) => {
  const { feed, reads, state } = harness();
  state.listening = false;
  feed.onRemote({ values: [key('drive-1')], presence: [], resync: false });
  await sleep(60);
  t.equal(reads.length, 0);
  t.match(feed.snapshot(), { unheard: 1, announcements: 0 });
});

t.test('a resync, or more waiting than maxPending, becomes one read of the whole plant', async (t) => {
  const { feed, reads } = harness({ maxPending: 3 });
  feed.onRemote({ values: [key('a')], presence: [], resync: false });
  feed.onRemote({ values: [], presence: [], resync: true });
  await until(() => reads.length === 1 && reads[0]?.devices !== null);
  t.same(reads.map((r) => [r.latest, r.devices]), [['all', 'all']], 'the whole plant, once');
  await sleep(50);
  feed.onRemote({ values: ['a', 'b', 'c', 'd'].map(key), presence: [], resync: false });
  await until(() => reads.length === 2);
  t.same(reads.map((r) => r.latest), ['all', 'all'], 'overflow: the whole plant instead of a long list');
  t.match(feed.snapshot(), { fullReads: 2 });
});

t.test('a failing read is counted and logged; the next announcement is read again', async (t) => {
  const { feed, reads, errors, state, chunks } = harness();
  state.fail = true;
  feed.onRemote({ values: [key('drive-1')], presence: [], resync: false });
  await until(() => errors.length === 1);
  t.equal(errors.length, 1, 'logged');
  t.match(feed.snapshot(), { readErrors: 1 });
  state.fail = false;
  feed.onRemote({ values: [key('drive-2')], presence: [], resync: false });
  await until(() => chunks.length > 0);
  t.equal(reads.length, 2);
  t.match(events(chunks), [{ event: 'values', data: { device: 'drive-2' } }]);
  feed.stop();
  feed.onRemote({ values: [key('drive-3')], presence: [], resync: false });
  await sleep(60);
  t.equal(reads.length, 2, 'stopped: nothing more is read');
});
