import t from 'tap';
import { GroupCommit } from '../../collector/ingest/group-commit.js';

t.test('items submitted together commit in one batch; each promise gets its own result', async (t) => {
  const batches: number[][] = [];
  const group = new GroupCommit<number, string>(async (items) => {
    batches.push(items);
    return items.map((n) => `ok ${n}`);
  });
  const results = await Promise.all([1, 2, 3].map((n) => group.submit(n)));
  t.same(results, ['ok 1', 'ok 2', 'ok 3']);
  t.same(batches, [[1, 2, 3]]);
});

t.test('a full batch commits at once, the rest on the next turn', async (t) => {
  const batches: number[][] = [];
  const group = new GroupCommit<number, number>(async (items) => {
    batches.push(items);
    return items;
  }, 2);
  const results = await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
  t.same(results, [1, 2, 3, 4, 5]);
  t.same(batches, [[1, 2], [3, 4], [5]]);
});

t.test('nothing resolves before its batch has committed', async (t) => {
  let committed = false;
  const group = new GroupCommit<number, boolean>(async (items) => {
    committed = true;
    return items.map(() => committed);
  });
  t.equal(await group.submit(1), true);
});

t.test('a failing batch is retried item by item so one bad item fails alone', async (t) => {
  const group = new GroupCommit<number, number>(async (items) => {
    if (items.includes(2)) throw new Error('disk says no');
    return items;
  });
  const results = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

t.test('stop commits what is queued and then refuses new items', async (t) => {
  const seen: number[] = [];
  const group = new GroupCommit<number, number>(async (items) => {
    seen.push(...items);
    return items;
  });
  const pending = group.submit(1);
  await group.stop();
  t.same(seen, [1], 'committed by the time stop() resolves');
  t.equal(await pending, 1);
  await t.rejects(group.submit(2), { code: 'FL_ERR_INGEST_STOPPED' });
});

t.test('one batch at a time: what arrives while a commit is in flight forms the next batch, in order', async (t) => {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let inFlight = 0;
  let most = 0;
  const group = new GroupCommit<number, number>(async (items) => {
    inFlight++;
    most = Math.max(most, inFlight);
    batches.push(items);
    if (items.includes(1)) await new Promise<void>((resolve) => { release = resolve; });
    inFlight--;
    return items;
  });
  const first = group.submit(1);
  await new Promise((resolve) => setImmediate(resolve));
  const later = [2, 3, 4].map((n) => group.submit(n));
  await new Promise((resolve) => setImmediate(resolve));
  t.same(batches, [[1]], 'nothing else commits while the first batch is in flight');
  release();
  t.same(await Promise.all([first, ...later]), [1, 2, 3, 4]);
  t.same(batches, [[1], [2, 3, 4]]);
  t.equal(most, 1, 'never two commits at once');
});
