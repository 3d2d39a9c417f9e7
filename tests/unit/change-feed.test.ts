/** The ticket change feed: cursors, de-duplication, limits, resets (restart, ring overrun, foreign cursor) and waiting. */
import t from 'tap';
import { BadCursor, ChangeFeed } from '../../collector/live/change-feed.js';

t.test('changes after a cursor come once each, oldest change first, and the new cursor covers them', async (t) => {
  const feed = new ChangeFeed('e1');
  const start = feed.cursor();
  t.equal(start, 'e1.0');
  feed.record([3, 1]);
  feed.record([3]);
  feed.record([]);
  t.same(feed.after(start, 10), { kind: 'changes', ids: [3, 1], cursor: 'e1.3', more: false });
  t.same(feed.after('e1.1', 10), { kind: 'changes', ids: [1, 3], cursor: 'e1.3', more: false }, 'from the middle: 1 then 3 again');
  t.same(feed.after('e1.3', 10), { kind: 'changes', ids: [], cursor: 'e1.3', more: false }, 'nothing new');
});

t.test('a limit stops at that many distinct tickets; repeats of those are consumed with them', async (t) => {
  const feed = new ChangeFeed('e1');
  feed.record([1, 2, 1, 3, 2, 4]);
  const first = feed.after('e1.0', 2);
  t.same(first, { kind: 'changes', ids: [1, 2], cursor: 'e1.3', more: true });
  if (first.kind !== 'changes') return;
  t.same(feed.after(first.cursor, 2), { kind: 'changes', ids: [3, 2], cursor: 'e1.5', more: true });
  t.same(feed.after('e1.5', 2), { kind: 'changes', ids: [4], cursor: 'e1.6', more: false });
});

t.test('a cursor from another run, from the future or older than the ring answers reset with the current cursor', async (t) => {
  const feed = new ChangeFeed('e2', 4);
  feed.record([1, 2, 3]);
  t.same(feed.after('e1.2', 10), { kind: 'reset', cursor: 'e2.3' }, 'another epoch');
  t.same(feed.after('e2.9', 10), { kind: 'reset', cursor: 'e2.3' }, 'a sequence not given out yet');
  feed.record([4, 5, 6]);
  t.same(feed.after('e2.1', 10), { kind: 'reset', cursor: 'e2.6' }, 'changes 2 … 6 do not all fit in a ring of 4');
  t.same(feed.after('e2.2', 10), { kind: 'changes', ids: [3, 4, 5, 6], cursor: 'e2.6', more: false }, 'the ring still holds 3 … 6');
});

t.test('a malformed cursor is refused by name', async (t) => {
  const feed = new ChangeFeed('e1');
  for (const bad of ['', 'e1', 'e1.', 'E1.2', 'e1.-1', 'e1.2.3', 'e1.1234567890123456']) {
    t.throws(() => feed.after(bad, 10), BadCursor, JSON.stringify(bad));
  }
  t.throws(() => new ChangeFeed('Bad Epoch'), RangeError);
  t.throws(() => new ChangeFeed('e1', 0), RangeError);
});

t.test('waiting ends at the first change after the cursor, at the timeout, or on abort; not at all when changes are there', async (t) => {
  const feed = new ChangeFeed('e1');
  feed.record([1]);
  // Not a timing bound: a wait that had begun would register a waiter (and outlast the test's timeout).
  const already = feed.waitAfter('e1.0', 600_000);
  t.equal(feed.waiting, 0, 'a change was there already: no wait begins');
  await already;

  const woken = feed.waitAfter('e1.1', 5_000);
  t.equal(feed.waiting, 1);
  feed.record([2]);
  await woken;
  t.equal(feed.waiting, 0, 'a change wakes the waiter and it is gone');

  const started = Date.now();
  await feed.waitAfter('e1.2', 30);
  t.ok(Date.now() - started >= 25, 'nothing changed: the wait ran out');

  const abort = new AbortController();
  const aborted = feed.waitAfter('e1.2', 5_000, abort.signal);
  abort.abort();
  await aborted;
  t.equal(feed.waiting, 0);

  const closing = feed.waitAfter('e1.2', 5_000);
  feed.close();
  await closing;
  t.equal(feed.waiting, 0, 'close ends every wait');
});
