/** The live hub: coalesces a turn's changes into one chunk per client, drops a client that does not keep up, sends a flood state once. */
import t from 'tap';
import type { FloodEpisode, FloodState } from '../../collector/core/alarms/alarm-flood.js';
import { LiveHub, type LiveHubOptions, type LiveSink } from '../../collector/live/live-hub.js';
import { waitFor } from '../helpers/wait.js';

class Sink implements LiveSink {
  chunks: string[] = [];
  writableLength = 0;
  ended = false;
  write(chunk: string): boolean { this.chunks.push(chunk); return true; }
  end(): void { this.ended = true; }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const quiet = { warn: () => {}, error: () => {} };

function hub(flood: { state?: FloodState; episodes?: FloodEpisode[] } = {}, extra: Partial<LiveHubOptions> = {}): { hub: LiveHub; rendered: number[] } {
  const rendered: number[] = [];
  return {
    rendered,
    hub: new LiveHub({
      now: () => 1000, log: quiet,
      alarmJson: async (id) => { rendered.push(id); return id === 404 ? undefined : { id }; },
      ticketJson: async (id, nowMs) => ({ ticket: id, nowMs }),
      floodEpisode: async () => flood.state?.episode ?? flood.episodes?.[0],
      ...extra,
    }),
  };
}

t.test('changes of one turn go out as one chunk, each object rendered once', async (t) => {
  const { hub: h, rendered } = hub();
  const a = new Sink();
  const b = new Sink();
  h.add(a);
  h.add(b);
  h.onChanges({ alarms: [1, 2], tickets: [7], floodSites: [] });
  h.onChanges({ alarms: [2, 404], tickets: [], floodSites: [] });
  t.same(a.chunks, [], 'nothing is written before the turn ends');
  await tick();
  t.same(rendered, [1, 2, 404], 'alarm 2 rendered once although changed twice');
  t.equal(a.chunks.length, 1);
  t.same(b.chunks, a.chunks, 'every client gets the same chunk');
  t.equal(a.chunks[0], 'event: alarm\ndata: {"id":1}\n\nevent: alarm\ndata: {"id":2}\n\nevent: ticket\ndata: {"ticket":7,"nowMs":1000}\n\n',
    'a vanished alarm is skipped');
  h.close();
  t.ok(a.ended && b.ended, 'close ends every stream');
});

t.test('every ping is a clock event with the server\'s time, so an open page keeps its clock offset current', async (t) => {
  let nowMs = 5_000;
  const { hub: h } = hub({}, { pingMs: 30, now: () => nowMs });
  const a = new Sink();
  h.add(a);
  await waitFor('the first ping', () => a.chunks[0], 5000, 5);
  nowMs = 9_000;
  await waitFor('the second', () => a.chunks[1], 5000, 5);
  h.close();
  t.same(a.chunks.slice(0, 2), ['event: clock\ndata: {"serverTimeMs":5000}\n\n', 'event: clock\ndata: {"serverTimeMs":9000}\n\n'], 'the time when each was sent');
});

t.test('without clients nothing is rendered', async (t) => {
  const { hub: h, rendered } = hub();
  h.onChanges({ alarms: [1], tickets: [1], floodSites: ['s'] });
  await tick();
  t.same(rendered, []);
});

t.test('a client that does not keep up is dropped, the others keep receiving', async (t) => {
  const { hub: h } = hub();
  const slow = new Sink();
  const fast = new Sink();
  h.add(slow);
  h.add(fast);
  slow.writableLength = 9 * 1024 * 1024;
  h.onChanges({ alarms: [1], tickets: [], floodSites: [] });
  await tick();
  t.ok(slow.ended, 'slow client ended');
  t.equal(slow.chunks.length, 0);
  t.equal(fast.chunks.length, 1);
  t.equal(h.snapshot().clientsDropped, 1);
  t.equal(h.snapshot().clients, 1);
  h.onChanges({ alarms: [2], tickets: [], floodSites: [] });
  await tick();
  t.equal(fast.chunks.length, 2);
  t.equal(slow.chunks.length, 0, 'a dropped client gets nothing more');
  h.close();
});

t.test('a flood episode is sent when it changes, not on every raise', async (t) => {
  const episode: FloodEpisode = { site: 's', startMs: 10, endMs: null, alarms: 11, peak: 11 };
  const state: FloodState = { site: 's', recent: [], episode };
  const { hub: h } = hub({ state });
  const a = new Sink();
  h.add(a);
  h.onChanges({ alarms: [], tickets: [], floodSites: ['s'] });
  await tick();
  h.onChanges({ alarms: [], tickets: [], floodSites: ['s'] });
  await tick();
  t.equal(a.chunks.length, 1, 'unchanged flood state not re-sent');
  t.match(a.chunks[0], /^event: flood\ndata: \{"site":"s","startMs":10,"endMs":null,"alarms":11,"peak":11\}/);
  episode.alarms = 12;
  h.onChanges({ alarms: [], tickets: [], floodSites: ['s'] });
  await tick();
  t.equal(a.chunks.length, 2, 'changed flood state sent');
  h.close();
});

t.test('recheck closes, with a signed-out event, only the streams whose credential no longer holds', async (t) => {
  const { hub: h } = hub();
  const ended = new Sink();
  const fine = new Sink();
  const broken = new Sink();
  let sessionLive = true;
  h.add(ended, () => sessionLive);
  h.add(fine, () => true);
  h.add(broken, () => { throw new Error('database gone'); });
  await h.recheck();
  t.ok(broken.ended, 'a failing check closes its stream (fail closed)');
  t.notOk(ended.ended);
  sessionLive = false;
  await h.recheck();
  t.ok(ended.ended, 'the stream of the ended session is closed');
  t.match(ended.chunks.at(-1), /^event: signed-out\ndata: \{"reason":/);
  t.notOk(fine.ended, 'the other stream stays');
  t.equal(h.snapshot().clientsSignedOut, 2);
  t.equal(h.snapshot().clients, 1);
  h.onChanges({ alarms: [1], tickets: [], floodSites: [] });
  await tick();
  t.equal(ended.chunks.length, 1, 'a closed stream gets nothing more');
  t.equal(fine.chunks.length, 1);
  h.close();
});

t.test('one owner holds at most maxPerOwner streams; others still get theirs', async (t) => {
  const { hub: h } = hub({}, { maxPerOwner: 2 });
  const sinks = [new Sink(), new Sink()];
  for (const s of sinks) h.add(s, () => true, 'vic');
  t.ok(h.fullFor('vic'), 'vic has used up her streams');
  t.notOk(h.fullFor('otto'), 'otto has not');
  const removeOtto = h.add(new Sink(), () => true, 'otto');
  t.equal(h.snapshot().clients, 3);
  removeOtto();
  t.notOk(h.fullFor('otto'), 'a stream that ended frees its slot');
  h.close();
  t.notOk(h.fullFor('vic'), 'closing frees the slots');
});

t.test('rechecks asked for by the API run at most once per recheckEveryMs, the last one always', async (t) => {
  const { hub: h } = hub({}, { recheckEveryMs: 50 });
  let checks = 0;
  let live = true;
  const s = new Sink();
  h.add(s, () => { checks++; return live; }, 'vic');
  h.requestRecheck();
  t.equal(checks, 1, 'the first runs at once');
  for (let i = 0; i < 100; i++) h.requestRecheck();
  t.equal(checks, 1, 'a flood of requests within the interval runs none at once');
  live = false;
  await new Promise((r) => setTimeout(r, 80));
  t.equal(checks, 2, 'one trailing recheck ran');
  t.ok(s.ended, 'and it closed the stream whose credential ended');
  h.close();
});
