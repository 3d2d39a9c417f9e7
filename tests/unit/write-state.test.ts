/** The read-only state of the store (ingest/write-state.ts): one change per spell, settled by time, not by one lucky commit. */
import t from 'tap';
import { WriteState, type WriteChange } from '../../collector/ingest/write-state.js';

t.test('a spell starts at the first failure and ends only after commits succeeded for the settle time', async (t) => {
  const changes: WriteChange[] = [];
  const w = new WriteState((c) => { changes.push(c); }, 5_000);
  t.equal(w.snapshot(0).writable, true);
  w.failed('FL_ERR_STORE_FULL', 'disk full', 1_000);
  w.failed('FL_ERR_STORE_FULL', 'disk full', 1_100);
  w.succeeded(1_200); // a lucky commit on a nearly full disk
  w.failed('FL_ERR_STORE_FULL', 'disk full', 1_300);
  t.same(changes, ['failing'], 'one change for the whole spell');
  t.match(w.snapshot(1_400), { writable: false, sinceMs: 1_000, code: 'FL_ERR_STORE_FULL', refused: 3 });
  w.succeeded(2_000);
  t.equal(w.snapshot(6_999).writable, false, 'not yet settled');
  t.equal(w.snapshot(7_000).writable, true, 'settled after 5 s of success, even without a further commit');
  t.same(changes, ['failing', 'recovered']);
  w.succeeded(8_000);
  t.same(changes, ['failing', 'recovered'], 'nothing more while writable');
});
