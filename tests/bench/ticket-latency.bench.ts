/**
 * Latency from publish to ticket visible through the HTTP API, at a steady rate (default 1,000
 * events/s for 5 s after a 1 s warm-up), in two runs:
 *  - new tickets: every event raises a fault code of its own, so every event opens a ticket;
 *  - occurrences: events repeat 200 faults (10 devices x 20 codes), so after the first raise each
 *    one updates an open ticket (visible once the ticket's lastSeenMs reaches the event's time).
 * Each mode is watched three ways, in separate runs (a worker thread watches, so parsing never delays
 * the publisher; see ticket-watcher.ts):
 *  - live stream: GET /api/stream, as the dashboard sees tickets change (pushed on commit);
 *  - polling: GET /api/tickets?site=… back to back, as an integration without the stream would; a
 *    figure then includes up to one poll cycle (printed), and the polls themselves load the collector;
 *  - change feed: GET /api/tickets/changes?after=<cursor>&waitMs=… in a loop (long polling), as an
 *    integration that polls but follows changes would.
 * Printed beside publish → PUBACK from the same run (PUBACK = committed). The collector runs in its
 * own process, a fresh one per run. Bounded in time and count; prints figures, asserts nothing.
 */
import { Worker } from 'node:worker_threads';
import { uuidv7 } from 'uuidv7';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { benchClient, percentile, startCollectorProcess, type CollectorProcess } from './bench-processes.js';
import type { WatchMode, WatcherReport, WatcherSetup } from './ticket-watcher.js';

export interface TicketLatencyOptions {
  ratePerS?: number;
  seconds?: number;
  warmupS?: number;
  devices?: number;
  pollers?: number;
}

type Mode = 'new tickets' | 'occurrences';
const CODES_PER_DEVICE = 20;
/** After publishing, pollers keep looking this long for changes not seen yet. */
const DRAIN_MS = 5000;

function raise(site: string, device: string, seq: number, code: string, timeMs: number): Buffer {
  const e: FaultEvent = {
    id: uuidv7(), device, site, seq, timeMs, source: 'modbus', category: 'hardware', code, severity: 'critical',
    transition: 'raise', message: 'latency probe', snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
  return Buffer.from(encodeFaultEvent(e));
}

interface Pending {
  timeMs: number;
  sentAt: number;
  measured: boolean;
}

const WATCHED: Record<WatchMode, string> = { stream: 'on the live stream', feed: 'on the change feed (long polling)', poll: 'by polling the list' };

const ms = (x: number): string => (Number.isNaN(x) ? '   n/a' : `${x.toFixed(2)} ms`);

async function measure(collector: CollectorProcess, mode: Mode, watch: WatchMode, site: string, o: Required<TicketLatencyOptions>): Promise<void> {
  const total = o.ratePerS * (o.seconds + o.warmupS);
  const measuredFrom = o.ratePerS * o.warmupS;
  const clients = await Promise.all(Array.from({ length: o.devices }, (_, d) => benchClient(collector.mqttUrl, `fl-${site}-dev-${d}`)));
  /** Per ticket key (device/code): changes published and not yet seen, oldest first. */
  const pending = new Map<string, Pending[]>();
  let unseen = 0;
  const ackMs: number[] = [];
  const visibleMs: number[] = [];
  let pollCycles = 0;
  let pollTimeMs = 0;
  const limit = mode === 'new tickets' ? 500 : Math.min(500, o.devices * CODES_PER_DEVICE);

  let publishing = true;
  const setup: WatcherSetup = { mode: watch, httpUrl: collector.httpUrl, site, limit, headers: collector.apiHeaders, pollers: o.pollers };
  const worker = new Worker(new URL('./ticket-watcher.js', import.meta.url), { workerData: setup });
  let drained: () => void = () => {};
  const allSeen = new Promise<void>((resolve) => { drained = resolve; });
  let ready: () => void = () => {};
  const watching = new Promise<void>((resolve) => { ready = resolve; });
  const stopped = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WatcherReport) => {
      if (m.kind === 'error') reject(new Error(m.message));
      else if (m.kind === 'stopped') resolve();
      else if (m.kind === 'ready') ready();
      else {
        pollCycles++;
        pollTimeMs += m.cycleMs;
        const seen = m.atMs - performance.timeOrigin;
        for (const [key, lastSeenMs] of m.changes) {
          const queue = pending.get(key);
          while (queue && queue.length > 0 && (queue[0] as Pending).timeMs <= lastSeenMs) {
            const p = queue.shift() as Pending;
            unseen--;
            if (p.measured) visibleMs.push(seen - p.sentAt);
          }
        }
        if (publishing === false && unseen === 0) drained();
      }
    });
    worker.once('error', reject);
  });
  await Promise.race([watching, stopped]);

  const cpuBefore = collector.cpuMs();
  const acks: Array<Promise<void>> = [];
  const baseMs = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / o.ratePerS - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const d = i % o.devices;
    const device = `dev-${d}`;
    const code = mode === 'new tickets' ? `lat.${i}` : `lat.code_${Math.floor(i / o.devices) % CODES_PER_DEVICE}`;
    const timeMs = baseMs + i; // strictly increasing, so a ticket's lastSeenMs tells which raises it has taken in
    const sent = performance.now();
    const key = `${device}/${code}`;
    const queue = pending.get(key) ?? [];
    queue.push({ timeMs, sentAt: sent, measured: i >= measuredFrom });
    pending.set(key, queue);
    unseen++;
    const client = clients[d] as (typeof clients)[number];
    acks.push(client.publishAsync(`fl/v1/${site}/${device}/event`, raise(site, device, Math.floor(i / o.devices) + 1, code, timeMs), { qos: 1 }).then(() => {
      if (i >= measuredFrom) ackMs.push(performance.now() - sent);
    }));
  }
  const offered = total / ((performance.now() - t0) / 1000);
  await Promise.all(acks);
  const cpuShare = (collector.cpuMs() - cpuBefore) / (performance.now() - t0);
  publishing = false;
  if (unseen === 0) drained();
  await Promise.race([allSeen, new Promise((r) => setTimeout(r, DRAIN_MS))]);
  worker.postMessage('stop');
  await stopped;
  await worker.terminate();
  await Promise.all(clients.map((c) => c.endAsync()));

  ackMs.sort((a, b) => a - b);
  visibleMs.sort((a, b) => a - b);
  process.stdout.write(`  ${mode}, watched ${WATCHED[watch]}: offered ${offered.toFixed(0)} events/s; ${visibleMs.length} of ${total - measuredFrom} measured changes seen (${unseen} never)\n`);
  process.stdout.write(`    publish -> PUBACK (committed)         p50 ${ms(percentile(ackMs, 0.5))}   p99 ${ms(percentile(ackMs, 0.99))}\n`);
  process.stdout.write(`    publish -> ticket visible in the API  p50 ${ms(percentile(visibleMs, 0.5))}   p99 ${ms(percentile(visibleMs, 0.99))}   (target p99 < 25 ms)\n`);
  process.stdout.write(`    collector CPU while publishing: ${(cpuShare * 100).toFixed(0)}% of a core (serving the watcher included)\n`);
  if (watch === 'poll') {
    process.stdout.write(`    poll cycle: ${o.pollers} pollers, GET /api/tickets?limit=${limit}, mean ${ms(pollTimeMs / Math.max(1, pollCycles))} over ${pollCycles} polls\n`);
  }
}

export async function runTicketLatencyBench(opts: TicketLatencyOptions = {}): Promise<void> {
  const o: Required<TicketLatencyOptions> = { ratePerS: 1000, seconds: 5, warmupS: 1, devices: 10, pollers: 2, ...opts };
  process.stdout.write(`ticket latency: ${o.ratePerS.toLocaleString('en-US')} events/s for ${o.seconds} s after ${o.warmupS} s warm-up, from ${o.devices} devices\n`);
  for (const [mode, site] of [['occurrences', 'lat-occ'], ['new tickets', 'lat-new']] as const) {
    for (const watch of ['stream', 'feed', 'poll'] as const) {
      const collector = await startCollectorProcess(); // a fresh collector per run, so one run's backlog cannot slow the next
      try {
        await measure(collector, mode, watch, site, o);
      } finally {
        await collector.stop();
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runTicketLatencyBench();
