/**
 * Worker thread of the ticket-latency bench: watches the collector's tickets and posts, per look,
 * the tickets whose lastSeenMs moved since it last looked, stamped with the absolute time
 * (performance.timeOrigin + now) the answer was in. Two ways to watch:
 *  - 'stream': GET /api/stream (server-sent events), as the dashboard does: each `ticket` event is a
 *    ticket as GET /api/tickets shows it, pushed when the desk commits the change;
 *  - 'poll': GET /api/tickets back to back (`pollers` loops), as an integration without the stream would;
 *  - 'feed': GET /api/tickets/changes?after=<cursor>&waitMs=… in one loop (long polling), as an
 *    integration following the change feed would.
 * Parsing here keeps the publisher's event loop free, so a publish is sent and its PUBACK noticed on time.
 * Parent → worker: 'stop'. Worker → parent: WatcherReport.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { followFeed, followStream, type TicketItem } from './watch-loops.js';

export type WatchMode = 'stream' | 'poll' | 'feed';

export interface WatcherSetup {
  mode: WatchMode;
  /** The collector's base URL, e.g. http://127.0.0.1:8080. */
  httpUrl: string;
  site: string;
  /** Poll: list size. */
  limit: number;
  headers: Record<string, string>;
  /** Poll: loops polling back to back. */
  pollers: number;
}

export type WatcherReport =
  | { kind: 'ready' }
  | { kind: 'seen'; atMs: number; changes: Array<[key: string, lastSeenMs: number]>; cycleMs: number }
  | { kind: 'error'; message: string }
  | { kind: 'stopped' };


const setup = workerData as WatcherSetup;
const port = parentPort;
if (!port) throw new Error('ticket-watcher runs as a worker thread');
const absNow = (): number => performance.timeOrigin + performance.now();
const stop = new AbortController();
port.on('message', (m: string) => { if (m === 'stop') stop.abort(); });

const lastSeen = new Map<string, number>();
function report(tickets: Iterable<TicketItem>, cycleMs: number): void {
  const atMs = absNow();
  const changes: Array<[string, number]> = [];
  for (const t of tickets) {
    if (t.site !== setup.site) continue;
    const key = `${t.device}/${t.code}`;
    if ((lastSeen.get(key) ?? Number.NEGATIVE_INFINITY) < t.lastSeenMs) {
      lastSeen.set(key, t.lastSeenMs);
      changes.push([key, t.lastSeenMs]);
    }
  }
  if (changes.length > 0 || setup.mode === 'poll') port?.postMessage({ kind: 'seen', atMs, changes, cycleMs } satisfies WatcherReport);
}

async function poll(): Promise<void> {
  const url = `${setup.httpUrl}/api/tickets?site=${encodeURIComponent(setup.site)}&limit=${setup.limit}`;
  const loop = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const started = performance.now();
      const res = await fetch(url, { headers: setup.headers });
      if (!res.ok) throw new Error(`GET /api/tickets answered ${res.status}: ${await res.text()}`);
      const body = await res.json() as { tickets: TicketItem[] };
      report(body.tickets, performance.now() - started);
    }
  };
  port?.postMessage({ kind: 'ready' } satisfies WatcherReport);
  await Promise.all(Array.from({ length: setup.pollers }, loop));
}

const loop = {
  httpUrl: setup.httpUrl, site: setup.site, limit: setup.limit, headers: setup.headers, stop: stop.signal,
  onReady: () => port.postMessage({ kind: 'ready' } satisfies WatcherReport),
  onTickets: (tickets: TicketItem[], cycleMs: number) => report(tickets, cycleMs),
};

try {
  await (setup.mode === 'stream' ? followStream(loop) : setup.mode === 'feed' ? followFeed(loop) : poll());
  port.postMessage({ kind: 'stopped' } satisfies WatcherReport);
} catch (err) {
  port.postMessage({ kind: 'error', message: (err as Error).message } satisfies WatcherReport);
}
