/**
 * The live feed: one EventSource on /api/stream (cookie-authenticated) for the whole app. Pages
 * subscribe to `alarm`, `ticket` and `flood` events and to `hello`, which arrives on every
 * (re)connect: that is when a page re-fetches its lists, then keeps applying events.
 */
import { sessionGone } from './api';

export type LiveEvent = 'hello' | 'alarm' | 'ticket' | 'flood' | 'values' | 'presence';
export type LiveStatus = 'connecting' | 'open' | 'closed';
type Handler = (data: unknown) => void;

class LiveFeed {
  private es: EventSource | undefined;
  private readonly handlers = new Map<LiveEvent | 'status', Set<Handler>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  status: LiveStatus = 'closed';
  /** Increments on every hello (every successful (re)connect). */
  connects = 0;
  /** Server clock minus ours, from the last hello or clock event (ms). */
  skewMs = 0;

  start(): void {
    if (this.es) return;
    this.setStatus('connecting');
    const es = new EventSource('/api/stream');
    this.es = es;
    es.addEventListener('hello', (e) => {
      const data = parse(e);
      this.connects++;
      this.takeServerTime(data);
      this.setStatus('open');
      this.emit('hello', data);
    });
    // Every 15 s: the browser's clock may be set while the page is open (NTP, a user, a VM resumed).
    es.addEventListener('clock', (e) => this.takeServerTime(parse(e)));
    // The server ends the stream this way when the session ended (logout elsewhere, expiry, password change).
    es.addEventListener('signed-out', () => {
      this.stop();
      sessionGone();
    });
    for (const name of ['alarm', 'ticket', 'flood', 'values', 'presence'] as const) {
      es.addEventListener(name, (e) => { const d = parse(e); if (d !== undefined) this.emit(name, d); });
    }
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // Refused (e.g. 401 or 503): EventSource gives up; try again ourselves.
        this.es = undefined;
        this.setStatus('closed');
        this.retryTimer = setTimeout(() => this.start(), 3000);
      } else {
        this.setStatus('connecting');
      }
    };
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.es?.close();
    this.es = undefined;
    this.setStatus('closed');
  }

  on(event: LiveEvent | 'status', fn: Handler): () => void {
    let set = this.handlers.get(event);
    if (!set) { set = new Set(); this.handlers.set(event, set); }
    set.add(fn);
    return () => set.delete(fn);
  }

  private takeServerTime(data: unknown): void {
    if (data && typeof (data as { serverTimeMs?: unknown }).serverTimeMs === 'number') this.skewMs = (data as { serverTimeMs: number }).serverTimeMs - Date.now();
  }

  private setStatus(s: LiveStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.emit('status', s);
  }

  private emit(event: LiveEvent | 'status', data: unknown): void {
    this.handlers.get(event)?.forEach((fn) => {
      try { fn(data); } catch (err) { console.error('live handler failed', err); }
    });
  }
}

function parse(e: Event): unknown {
  try { return JSON.parse((e as MessageEvent<string>).data); } catch { return undefined; }
}

export const live = new LiveFeed();
