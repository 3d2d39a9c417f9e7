/**
 * Issue #15 item 10: during the ticket-latency bench the process printed MaxListenersExceededWarning
 * (1,500+ abort listeners on one AbortSignal). The cause: the bench's watcher followed the change
 * feed with one long-lived stop signal passed to every fetch; fetch adds an 'abort' listener to the
 * signal it is given and lets go of it only when that signal is garbage-collected, so every long-poll
 * cycle left one listener on the stop signal. This runs the watcher's own loop (watch-loops.ts)
 * against a real API on loopback for many cycles, with tickets changing meanwhile, and holds the
 * stop signal's listener count flat and the process free of that warning.
 */
import { getEventListeners } from 'node:events';
import t from 'tap';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import { followFeed } from '../bench/watch-loops.js';

const CYCLES = 300;

t.test(`the change-feed follower keeps its stop signal's listeners flat over ${CYCLES} long-poll cycles`, async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  const viewer = await apiCaller(h.store, 'viewer');
  await h.commit(birth());
  const httpUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message); };
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));

  const stop = new AbortController();
  let cycles = 0;
  let most = 0;
  let seen = 0;
  await followFeed({
    httpUrl, site: 'plant-a', limit: 100, headers: viewer.headers, stop: stop.signal, waitMs: 2,
    onReady: () => undefined,
    onTickets: (tickets) => {
      cycles++;
      seen += tickets.length;
      most = Math.max(most, getEventListeners(stop.signal, 'abort').length);
      // Every tenth cycle a ticket changes, so some polls are woken by a change and some time out.
      if (cycles % 10 === 0) void h.commit(fault('raise', T0 + cycles, { code: `vfd.c${cycles % 7}` }));
      if (cycles >= CYCLES) stop.abort();
    },
  });
  t.equal(cycles, CYCLES, `${CYCLES} long-poll cycles`);
  t.ok(seen > 0, `the follower saw ticket changes (${seen})`);
  t.ok(most <= 2, `at most ${most} abort listeners on the stop signal at any cycle (it grew by one per cycle before)`);
  t.same(warnings, [], 'no MaxListenersExceededWarning');
});
