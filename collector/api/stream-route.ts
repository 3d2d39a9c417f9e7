/**
 * GET /api/stream: the dashboard's live feed as server-sent events — `hello` on connect, then
 * `alarm`, `ticket` and `flood` events as the desk commits changes (see collector/live/live-hub.ts),
 * and a `clock` event (the server's time: the ping) every 15 s. After a reconnect a client re-fetches its lists, then applies events.
 * A stream ends with a `signed-out` event once its session ends or its API token is revoked: checked
 * at every ping, and right after any successful request that changes sessions, tokens or users
 * (app.ts calls the hub's recheck).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ClusterPort, QueryPort } from '../store/port.js';
import type { DeskService } from '../desk/desk-service.js';
import type { IngestObserver } from '../ingest/pipeline.js';
import { LiveHub } from '../live/live-hub.js';
import { PlantFeed } from '../live/plant-feed.js';
import { RemotePlantFeed } from '../live/remote-plant-feed.js';
import { sseEvent, sseRetry } from '../live/sse-frame.js';
import { alarmView } from './alarm-view.js';
import { apiError } from './api-errors.js';
import { ticketSummary } from './ticket-view.js';

/** Live streams one user may hold open at once (dashboard tabs, wallboards, scripts). */
export const LIVE_PER_USER = 10;

export interface StreamRouteOptions {
  desk: DeskService;
  store: QueryPort;
  now: () => number;
  /** Receives the hub, e.g. for health figures. */
  onHub?: (hub: LiveHub) => void;
  /** Committed ingest batches: with it the stream also carries `values` and `presence` events. */
  observeIngest?: (observer: IngestObserver) => () => void;
  /** Other collectors on the same database: what they ingested is on this stream too (live/remote-plant-feed.ts). */
  cluster?: Pick<ClusterPort, 'shared' | 'onRemoteDevices'>;
}

export async function streamRoute(app: FastifyInstance, opts: StreamRouteOptions): Promise<void> {
  const { desk, store, now } = opts;
  const alarmJson = alarmView(store);
  const hub = new LiveHub({
    now, log: app.log, maxPerOwner: LIVE_PER_USER,
    alarmJson: async (id) => {
      const found = await store.alarm(id);
      return found ? alarmJson(found) : undefined;
    },
    ticketJson: async (id, nowMs) => {
      const t = await store.getTicket({ id });
      return t ? ticketSummary(t, desk.settings().calendars, nowMs) : undefined;
    },
    floodEpisode: (site) => store.currentFloodEpisode(site),
  });
  opts.onHub?.(hub);
  const unsubscribe = desk.onChanges(hub.onChanges);
  const devices = async (keys: ReadonlyArray<{ site: string; device: string }> | undefined) => {
    const all = await store.listDevices();
    if (keys === undefined) return all;
    const wanted = new Set(keys.map((k) => `${k.site}/${k.device}`));
    return all.filter((d) => wanted.has(`${d.site}/${d.device}`));
  };
  const plant = new PlantFeed({ listening: () => hub.listening, send: (chunk) => hub.send(chunk), log: app.log, devices });
  const unobserve = opts.observeIngest?.({ batch: () => undefined, stored: () => undefined, committed: plant.onBatch });
  const remote = opts.cluster?.shared ? new RemotePlantFeed({
    listening: () => hub.listening, send: (chunk) => hub.send(chunk), log: app.log, devices,
    latest: (keys) => (keys === undefined ? store.latestValues({}) : store.latestValuesOf(keys)),
  }) : undefined;
  const unlisten = remote ? opts.cluster?.onRemoteDevices(remote.onRemote) : undefined;
  // Open streams would keep the server from closing.
  app.addHook('preClose', async () => {
    unlisten?.();
    remote?.stop();
    unobserve?.();
    unsubscribe();
    hub.close();
  });

  app.get('/api/stream', {
    schema: {
      summary: 'live alarms, tickets and flood episodes as server-sent events (text/event-stream)',
      produces: ['text/event-stream'],
      response: { 200: Type.String({ description: 'text/event-stream: `hello`, then `alarm` (as GET /api/alarms items), `ticket` (as GET /api/tickets items) and `flood` (as GET /api/alarms/floods items) events, `values` (a device\'s newest samples) and `presence` (a device went online or offline); `clock` ({serverTimeMs}) every 15 s, which also keeps proxies from closing the stream' }) },
    },
  }, async (req, reply) => {
    const owner = req.auth?.user.username ?? '';
    if (hub.fullFor(owner)) throw apiError('FL_ERR_API_BUSY', `too many live connections (at most ${LIVE_PER_USER} per user); close a dashboard tab or try again shortly`, {});
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(sseRetry(1000) + sseEvent('hello', { serverTimeMs: now() }));
    const remove = hub.add(res, app.credentialCheck(req), owner);
    req.raw.on('close', remove);
  });
}
