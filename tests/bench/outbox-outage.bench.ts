/**
 * The outbox scenario, in real time (nothing time-compressed): an agent link with its
 * on-disk outbox publishes a fault event every second and telemetry at 10 Hz to a collector;
 * the collector (and so its broker) is stopped for `outageS` seconds while production goes on,
 * then started again on the same port and data dir. Prints the outage length, what was
 * buffered, evictions, the time to reconnect and to drain, duplicates, and whether every fault
 * event reached the store exactly once and in order.
 *
 * Run alone: node dist/tests/bench/outbox-outage.bench.js [outageS]
 * (or FAULTLINE_BENCH_OUTAGE_S; default 600 s = the 10 minutes). A small
 * FAULTLINE_BENCH_OUTBOX_MAX_BYTES (e.g. 100000) shows eviction at work.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BACKOFF } from '../../agent/mqtt/backoff.js';
import { DEFAULT_OUTBOX_MAX_BYTES } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { checkDelivery, deviceSide, Producer, readDelivered, type OrderCheck } from '../helpers/delivery-harness.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

export const DEFAULT_OUTAGE_S = 600;
const SITE = 'bench';
const DEVICE = 'outage-drive';
const WARMUP_S = 5;
/** Samples per telemetry batch (one batch every 100 ms) and in each event's pre-fault window. */
const SAMPLES_PER_BATCH = 10;
const SNAPSHOT_SAMPLES = 60;

export interface OutboxOutageResult {
  outageS: number;
  buffered: { events: number; telemetry: number; status: number; bytes: number; fileBytes: number };
  evictions: { event: number; telemetry: number; status: number };
  reconnectS: number;
  drainS: number;
  resent: number;
  duplicatesAtCollector: number;
  check: OrderCheck;
  produced: number;
}

export interface OutboxOutageOptions {
  /** Outbox bound; default the agent's 64 MiB (small values show eviction). */
  maxBytes?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function duplicates(c: RunningCollector, dataDir: string): Promise<number> {
  const body = (await (await fetch(`${c.httpUrl}/api/health`, { headers: (await apiCallerIn(dataDir, 'admin')).headers })).json()) as { ingest: { duplicates: number } };
  return body.ingest.duplicates;
}

function fileBytes(file: string): number {
  const size = (f: string): number => { try { return statSync(f).size; } catch { return 0; } };
  return size(file) + size(`${file}-wal`);
}

export async function runOutboxOutageBench(outageS = DEFAULT_OUTAGE_S, o: OutboxOutageOptions = {}): Promise<OutboxOutageResult> {
  const say = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = tempDir('faultline-bench-');
  const dataDir = join(dir.path, 'collector');
  const outboxFile = join(dir.path, 'agent', 'outbox.db');
  const port = await freeLoopbackPort();
  const start = (): Promise<RunningCollector> => startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: port, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  let collector: RunningCollector | undefined = await start();
  const side = deviceSide({
    file: outboxFile, url: collector.mqttUrl, site: SITE, device: DEVICE, log: silentLogger(),
    maxBytes: o.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
    link: { reconnect: DEFAULT_BACKOFF, statusIntervalMs: 10_000 },
  });
  const producer = new Producer(side.link, { site: SITE, device: DEVICE, eventEveryMs: 1000, telemetryEveryMs: 100, samplesPerBatch: SAMPLES_PER_BATCH, snapshot: SNAPSHOT_SAMPLES });
  try {
    say(`outbox outage: a fault event every 1 s (${SNAPSHOT_SAMPLES}-sample window), telemetry at 10 Hz (${SAMPLES_PER_BATCH} samples), broker down ${outageS} s, outbox bound ${((o.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES) / 1048576).toFixed(1)} MiB, reconnect backoff ${DEFAULT_BACKOFF.minMs}-${DEFAULT_BACKOFF.maxMs} ms`);
    side.link.start();
    producer.start();
    await until('the first connect', () => side.link.connected, 30_000);
    await sleep(WARMUP_S * 1000);
    const dupsBefore = await duplicates(collector, dataDir);
    await collector.stop();
    collector = undefined;
    const downAt = Date.now();
    for (let left = outageS; left > 0;) {
      const step = Math.min(60, left);
      await sleep(step * 1000);
      left -= step;
      if (left > 0) {
        const d = side.outbox.depth();
        say(`  broker down ${Math.round((Date.now() - downAt) / 1000)} s: ${d.event} events, ${d.telemetry} telemetry waiting`);
      }
    }
    const depth = side.outbox.depth();
    const buffered = { events: depth.event, telemetry: depth.telemetry, status: depth.status, bytes: side.outbox.bytes(), fileBytes: fileBytes(outboxFile) };
    const realOutageS = (Date.now() - downAt) / 1000;

    collector = await start();
    const upAt = Date.now();
    await until('the reconnect', () => side.link.connected, DEFAULT_BACKOFF.maxMs + 30_000);
    const reconnectS = (Date.now() - upAt) / 1000;
    const connectedAt = Date.now();
    // Production goes on while the backlog drains; drained = nothing stored before the reconnect is left.
    const drained = (): boolean => {
      const oldest = side.outbox.peek(0, 1)[0];
      return oldest === undefined || oldest.createdMs >= connectedAt;
    };
    await until('the backlog to drain', drained, Math.max(120_000, outageS * 1000));
    const drainS = (Date.now() - connectedAt) / 1000;
    producer.stop();
    await until('the last messages', () => side.outbox.depth().total === 0, 60_000);
    const dups = dupsBefore + (await duplicates(collector, dataDir));
    const counters = side.link.counters();
    const evictions = side.outbox.evictions();
    await side.close();
    await collector.stop();
    collector = undefined;

    const stored = readDelivered(join(dataDir, DB_FILE), SITE, DEVICE);
    const check = checkDelivery(producer.events, stored.events);
    const result: OutboxOutageResult = {
      outageS: realOutageS, buffered, evictions, reconnectS, drainS, resent: counters.resent, duplicatesAtCollector: dups, check, produced: producer.events.length,
    };
    const mib = (n: number): string => (n / 1048576).toFixed(2);
    say(`  outage                      ${realOutageS.toFixed(1)} s`);
    say(`  buffered at reconnect       ${buffered.events} events, ${buffered.telemetry} telemetry, ${buffered.status} status = ${mib(buffered.bytes)} MiB counted, file ${mib(buffered.fileBytes)} MiB`);
    say(`  evictions                   ${evictions.event} events, ${evictions.telemetry} telemetry, ${evictions.status} status`);
    say(`  reconnect after broker up   ${reconnectS.toFixed(2)} s (jittered backoff)`);
    say(`  drain after reconnect       ${drainS.toFixed(2)} s`);
    say(`  resent by the agent         ${counters.resent}; duplicates dropped by the collector ${dups}`);
    say(`  fault events                ${producer.events.length} produced, ${check.delivered} stored, ${check.missing} missing, ${check.duplicates} stored twice`);
    say(`  order held                  ${check.inOrder ? 'yes' : 'NO'}; telemetry rows ${stored.telemetryRows} for ${producer.telemetrySamples} samples produced`);
    return result;
  } finally {
    producer.stop();
    await side.close();
    await collector?.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2] ?? process.env.FAULTLINE_BENCH_OUTAGE_S;
  const outageS = arg === undefined ? DEFAULT_OUTAGE_S : Number(arg);
  if (!Number.isFinite(outageS) || outageS < 1) {
    process.stderr.write(`outage seconds must be a number >= 1, got ${String(arg)}\n`);
    process.exit(2);
  }
  const maxBytes = process.env.FAULTLINE_BENCH_OUTBOX_MAX_BYTES;
  await runOutboxOutageBench(outageS, maxBytes === undefined ? {} : { maxBytes: Number(maxBytes) });
}
