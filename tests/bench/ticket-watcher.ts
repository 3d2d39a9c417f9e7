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

interface TicketItem { site: string; device: string; code: string; lastSeenMs: number }

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

/** Follows the change feed (long polling) until stopped. */
async function feed(): Promise<void> {
  const base = `${setup.httpUrl}/api/tickets/changes?site=${encodeURIComponent(setup.site)}&limit=${setup.limit}`;
  const ask = async (query: string): Promise<{ cursor: string; reset: boolean; tickets: TicketItem[] }> => {
    const res = await fetch(`${base}${query}`, { headers: setup.headers, signal: stop.signal });
    if (!res.ok) throw new Error(`GET /api/tickets/changes answered ${res.status}: ${await res.text()}`);
    return await res.json() as { cursor: string; reset: boolean; tickets: TicketItem[] };
  };
  let { cursor } = await ask('');
  port?.postMessage({ kind: 'ready' } satisfies WatcherReport);
  try {
    while (!stop.signal.aborted) {
      const started = performance.now();
      const answer = await ask(`&after=${cursor}&waitMs=5000`);
      if (answer.reset) throw new Error('the change feed answered reset during the run');
      cursor = answer.cursor;
      report(answer.tickets, performance.now() - started);
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
}

/** Reads `ticket` events off the live stream until stopped. */
async function stream(): Promise<void> {
  const res = await fetch(`${setup.httpUrl}/api/stream`, { headers: setup.headers, signal: stop.signal });
  if (!res.ok || !res.body) throw new Error(`GET /api/stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of res.body) {
      const started = performance.now();
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      const frames = buffered.split('\n\n');
      buffered = frames.pop() ?? '';
      const tickets: TicketItem[] = [];
      for (const frame of frames) {
        if (frame.startsWith('event: hello')) port?.postMessage({ kind: 'ready' } satisfies WatcherReport);
        if (!frame.startsWith('event: ticket\n')) continue;
        const data = frame.slice(frame.indexOf('\ndata: ') + 7);
        tickets.push(JSON.parse(data) as TicketItem);
      }
      report(tickets, performance.now() - started);
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
}

try {
  await (setup.mode === 'stream' ? stream() : setup.mode === 'feed' ? feed() : poll());
  port.postMessage({ kind: 'stopped' } satisfies WatcherReport);
} catch (err) {
  port.postMessage({ kind: 'error', message: (err as Error).message } satisfies WatcherReport);
}
