/**
 * The request loops of the ticket-latency bench's watcher (ticket-watcher.ts), importable so a test
 * can run them: following the change feed by long polling, and reading the live stream. Every loop
 * ends when `stop` aborts.
 */

export interface TicketItem { site: string; device: string; code: string; lastSeenMs: number }

export interface LoopOptions {
  httpUrl: string;
  site: string;
  limit: number;
  headers: Record<string, string>;
  stop: AbortSignal;
  /** Long poll: how long one request waits for a change (ms). */
  waitMs?: number;
  onReady: () => void;
  onTickets: (tickets: TicketItem[], cycleMs: number) => void;
}

/**
 * A signal for one request that aborts when `parent` does, and a `release` that takes its listener
 * off `parent` again. fetch() adds an 'abort' listener to the signal it is given and drops it only
 * when that signal is garbage-collected: passing one long-lived signal to every request of a loop
 * leaves one listener per request on it (MaxListenersExceededWarning in the bench).
 */
export function linkedSignal(parent: AbortSignal): { signal: AbortSignal; release: () => void } {
  const one = new AbortController();
  const abort = (): void => one.abort(parent.reason);
  if (parent.aborted) abort();
  else parent.addEventListener('abort', abort, { once: true });
  return { signal: one.signal, release: () => parent.removeEventListener('abort', abort) };
}

/** Follows the change feed (long polling) until stopped. */
export async function followFeed(o: LoopOptions): Promise<void> {
  const base = `${o.httpUrl}/api/tickets/changes?site=${encodeURIComponent(o.site)}&limit=${o.limit}`;
  const ask = async (query: string): Promise<{ cursor: string; reset: boolean; tickets: TicketItem[] }> => {
    const request = linkedSignal(o.stop);
    try {
      const res = await fetch(`${base}${query}`, { headers: o.headers, signal: request.signal });
      if (!res.ok) throw new Error(`GET /api/tickets/changes answered ${res.status}: ${await res.text()}`);
      return await res.json() as { cursor: string; reset: boolean; tickets: TicketItem[] };
    } finally {
      request.release();
    }
  };
  let { cursor } = await ask('');
  o.onReady();
  try {
    while (!o.stop.aborted) {
      const started = performance.now();
      const answer = await ask(`&after=${cursor}&waitMs=${o.waitMs ?? 5000}`);
      if (answer.reset) throw new Error('the change feed answered reset during the run');
      cursor = answer.cursor;
      o.onTickets(answer.tickets, performance.now() - started);
    }
  } catch (err) {
    if (!o.stop.aborted) throw err;
  }
}

/** Reads `ticket` events off the live stream until stopped (one stream; a caller that reconnects calls it again). */
export async function followStream(o: LoopOptions): Promise<void> {
  const request = linkedSignal(o.stop);
  try {
    await readStream(o, await fetch(`${o.httpUrl}/api/stream`, { headers: o.headers, signal: request.signal }));
  } finally {
    request.release();
  }
}

async function readStream(o: LoopOptions, res: Response): Promise<void> {
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
        if (frame.startsWith('event: hello')) o.onReady();
        if (!frame.startsWith('event: ticket\n')) continue;
        tickets.push(JSON.parse(frame.slice(frame.indexOf('\ndata: ') + 7)) as TicketItem);
      }
      o.onTickets(tickets, performance.now() - started);
    }
  } catch (err) {
    if (!o.stop.aborted) throw err;
  }
}
