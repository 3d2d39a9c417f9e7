/**
 * The dashboard's live feed. Listens to the desk's committed changes, coalesces whatever arrives in
 * one turn of the event loop (an ingest batch, an action), renders each changed alarm, ticket and
 * flood episode once, and writes that one chunk to every connected stream. A client that does not
 * keep up (its socket buffer passes the limit) is dropped: EventSource reconnects and the page
 * re-fetches its lists, which is cheaper and more honest than an unbounded queue.
 *
 * A stream lives no longer than the credential it was opened with: at every ping (and whenever the
 * API changed sessions, tokens or users: `recheck`) each stream's check runs, and a stream whose
 * session ended or whose token was revoked gets a `signed-out` event and is closed.
 */
import type { FloodEpisode } from '../core/alarms/alarm-flood.js';
import type { DeskChanges } from '../desk/desk-changes.js';

import { sseClock, sseEvent } from './sse-frame.js';

/** The two log levels the hub uses (pino and fastify loggers fit). */
export interface LiveLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where the hub writes; a Node ServerResponse fits. */
export interface LiveSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(): void;
}

export interface LiveHubOptions {
  /** An alarm as GET /api/alarms shows it. */
  alarmJson: (id: number) => Promise<unknown>;
  /** A ticket as GET /api/tickets shows it (SLA clocks at `nowMs`). */
  ticketJson: (id: number, nowMs: number) => Promise<unknown>;
  /** The running flood episode of a site, else its latest one (so a client sees the flood end). */
  floodEpisode: (site: string) => Promise<FloodEpisode | undefined>;
  now: () => number;
  log: LiveLog;
  /** Connections at most (default 500); more are refused with 503. */
  maxClients?: number;
  /** Connections per user (or API token owner) at most (default 10), so one account cannot take every slot. */
  maxPerOwner?: number;
  /** Rechecks asked for by the API run at most this often (default 1000 ms); the ping's always runs. */
  recheckEveryMs?: number;
  /** Bytes a client may have unsent before it is dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Ping interval (default 15 s). */
  pingMs?: number;
}

export interface LiveHubStats {
  clients: number;
  chunksSent: number;
  clientsDropped: number;
  /** Streams closed because their session ended or their token was revoked. */
  clientsSignedOut: number;
}

export class LiveHub {
  /** Each stream, the check that its credential still holds, and whose it is. */
  private readonly clients = new Map<LiveSink, { stillAllowed: () => Promise<boolean> | boolean; owner: string }>();
  private readonly perOwner = new Map<string, number>();
  private lastRecheckMs = Number.NEGATIVE_INFINITY;
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly pendingAlarms = new Set<number>();
  private readonly pendingTickets = new Set<number>();
  private readonly pendingSites = new Set<string>();
  /** Last flood episode sent per site, so an unchanged state is not re-sent on every raise. */
  private readonly lastFlood = new Map<string, string>();
  private flushQueued = false;
  /** Renders run one after the other, so chunks go out in the order the changes committed. */
  private flushing: Promise<void> = Promise.resolve();
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly stats: LiveHubStats = { clients: 0, chunksSent: 0, clientsDropped: 0, clientsSignedOut: 0 };

  constructor(private readonly opts: LiveHubOptions) {}

  /** The listener to hand to DeskService.onChanges. */
  readonly onChanges = (c: DeskChanges): void => {
    if (this.clients.size === 0) return;
    for (const id of c.alarms) this.pendingAlarms.add(id);
    for (const id of c.tickets) this.pendingTickets.add(id);
    for (const site of c.floodSites) this.pendingSites.add(site);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => { this.flushing = this.flushing.then(() => this.flush()); });
    }
  };

  /** No room for another stream of this owner (or of anyone). */
  fullFor(owner: string): boolean {
    return this.clients.size >= (this.opts.maxClients ?? 500) || (this.perOwner.get(owner) ?? 0) >= (this.opts.maxPerOwner ?? 10);
  }

  /** `stillAllowed`: whether the stream's credential still holds (checked at every ping and `recheck`); `owner`: whose stream it is. */
  add(sink: LiveSink, stillAllowed: () => Promise<boolean> | boolean = () => true, owner = ''): () => void {
    this.clients.set(sink, { stillAllowed, owner });
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    this.stats.clients = this.clients.size;
    this.pingTimer ??= setInterval(() => {
      void this.recheck();
      this.broadcast(sseClock(this.opts.now()));
    }, this.opts.pingMs ?? 15_000).unref();
    return () => this.remove(sink);
  }

  /**
   * A recheck soon: now, or (when one ran less than `recheckEveryMs` ago) once that much time has
   * passed, so a flood of logouts cannot make every open stream's check run on each one.
   */
  requestRecheck(): void {
    if (this.recheckTimer !== undefined || this.clients.size === 0) return;
    const waitMs = this.lastRecheckMs + (this.opts.recheckEveryMs ?? 1000) - performance.now();
    if (waitMs <= 0) {
      void this.recheck();
      return;
    }
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      void this.recheck();
    }, waitMs).unref();
  }

  /** Closes, with a `signed-out` event, every stream whose credential no longer holds. */
  async recheck(): Promise<void> {
    this.lastRecheckMs = performance.now();
    const checks = [...this.clients].map(async ([sink, { stillAllowed }]): Promise<[LiveSink, boolean]> => {
      try {
        return [sink, await stillAllowed()];
      } catch (err) {
        this.opts.log.error({ err }, 'live stream credential check failed; closing the stream');
        return [sink, false];
      }
    });
    for (const [sink, allowed] of await Promise.all(checks)) {
      if (allowed || !this.clients.has(sink)) continue;
      this.stats.clientsSignedOut++;
      this.remove(sink);
      sink.write(sseEvent('signed-out', { reason: 'the session ended or the API token was revoked; sign in again' }));
      sink.end();
    }
  }

  /** Writes a chunk rendered elsewhere (the plant's live values) to every stream. */
  send(chunk: string): void {
    if (this.clients.size > 0) this.broadcast(chunk);
  }

  /** Whether any stream is open. */
  get listening(): boolean {
    return this.clients.size > 0;
  }

  snapshot(): LiveHubStats {
    return { ...this.stats };
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    if (this.recheckTimer !== undefined) clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    for (const sink of [...this.clients.keys()]) {
      this.remove(sink);
      sink.end();
    }
  }

  private remove(sink: LiveSink): void {
    const entry = this.clients.get(sink);
    if (!entry) return;
    this.clients.delete(sink);
    const left = (this.perOwner.get(entry.owner) ?? 1) - 1;
    if (left > 0) this.perOwner.set(entry.owner, left);
    else this.perOwner.delete(entry.owner);
    this.stats.clients = this.clients.size;
    if (this.clients.size === 0 && this.pingTimer) {
      clearInterval(this.pingTimer);
      this.pingTimer = undefined;
    }
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const nowMs = this.opts.now();
    const alarms = [...this.pendingAlarms];
    const tickets = [...this.pendingTickets];
    const sites = [...this.pendingSites];
    this.pendingAlarms.clear();
    this.pendingTickets.clear();
    this.pendingSites.clear();
    let chunk = '';
    try {
      for (const id of alarms) {
        const json = await this.opts.alarmJson(id);
        if (json !== undefined) chunk += sseEvent('alarm', json);
      }
      for (const id of tickets) {
        const json = await this.opts.ticketJson(id, nowMs);
        if (json !== undefined) chunk += sseEvent('ticket', json);
      }
      for (const site of sites) {
        const episode = await this.opts.floodEpisode(site);
        if (!episode) continue;
        const text = sseEvent('flood', episode);
        if (this.lastFlood.get(site) === text) continue;
        this.lastFlood.set(site, text);
        chunk += text;
      }
    } catch (err) {
      this.opts.log.error({ err }, 'live feed could not render changes; clients will re-fetch on their next reconnect');
    }
    if (chunk !== '') this.broadcast(chunk);
  }

  private broadcast(chunk: string): void {
    const limit = this.opts.maxBufferedBytes ?? 8 * 1024 * 1024;
    for (const sink of [...this.clients.keys()]) {
      if (sink.writableLength > limit) {
        this.stats.clientsDropped++;
        this.opts.log.warn({ buffered: sink.writableLength }, 'live client too slow; dropped (it will reconnect and re-fetch)');
        this.remove(sink);
        sink.end();
        continue;
      }
      sink.write(chunk);
    }
    this.stats.chunksSent++;
  }
}
