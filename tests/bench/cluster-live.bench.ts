/**
 * Live values across collectors (issue #16 in cluster mode): two collector processes on one real
 * PostgreSQL and one real Mosquitto (shared subscription), a live stream (/api/stream) open on
 * each. Simulated devices publish telemetry (QoS 1, one new value per device per round); each
 * value is timed from its publish until each stream shows it or a newer value of its device (a
 * batch or a read coalesces a device's values into its newest one). The collector whose
 * stream shows a value first is the one that ingested it (its own batch, pushed straight from the
 * commit: the peer figure); the other stream shows it after the NOTIFY, the read of
 * telemetry_latest and the coalescing window (live/remote-plant-feed.ts): the cross-collector
 * figure. Printed: p50/p99 of both and their ratio, and the values never seen on the other stream.
 * Bounded in rounds and time; prints figures, asserts nothing.
 *
 * FAULTLINE_BENCH_LIVE_DEVICES (default 50) and FAULTLINE_BENCH_LIVE_ROUNDS (default 40, one every
 * 250 ms) size it.
 */
import mqtt from 'mqtt';
import { openStore } from '../../collector/store/index.js';
import { encodeBirth, encodeTelemetry } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import { topicFor } from '../../protocol/topics.js';
import { apiCaller } from '../helpers/api-auth.js';
import { startCollectorProcess, type CollectorProcess } from '../helpers/collector-process.js';
import { startMosquitto } from '../helpers/mosquitto-server.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { openSse, type SseConnection } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';

const SITE = 'plant-a';
const ROUND_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export async function runClusterLiveBench(): Promise<void> {
  const devices = Array.from({ length: Number(process.env.FAULTLINE_BENCH_LIVE_DEVICES ?? 50) }, (_, i) => `drive-${i + 1}`);
  const rounds = Number(process.env.FAULTLINE_BENCH_LIVE_ROUNDS ?? 40);
  process.stdout.write(`cluster-live: 2 collectors, ${devices.length} devices x ${rounds} telemetry rounds (one every ${ROUND_MS} ms), a live stream on each collector\n`);
  const pgServer = await startPostgres();
  const broker = await startMosquitto({ settings: { max_queued_messages: 100_000 } });
  const dir = tempDir('faultline-bench-live-');
  const collectors: CollectorProcess[] = [];
  const streams: SseConnection[] = [];
  let plant: mqtt.MqttClient | undefined;
  try {
    const database = await pgServer.createDatabase('live');
    const store = await openStore({ dataDir: `${dir.path}/tools`, database, log: silentLogger(), nowMs: Date.now() });
    const admin = await apiCaller(store, 'admin');
    await store.close();
    for (const id of ['a', 'b']) {
      collectors.push(await startCollectorProcess(['--database', database, '--broker', broker.url, '--collector-id', id, '--data-dir', `${dir.path}/${id}`]));
    }
    // value -> its device and when it was published; per stream and device, the values shown in arrival order
    const published = new Map<number, { device: string; atMs: number }>();
    const shown: Array<Map<string, Array<[value: number, atMs: number]>>> = [new Map(), new Map()];
    for (const [i, c] of collectors.entries()) {
      streams.push(await openSse(`${c.httpUrl}/api/stream`, admin.headers, (m) => {
        if (m.event !== 'values') return;
        const at = performance.now();
        const e = m.data as { device: string; values: Array<{ name: string; value: number }> };
        const list = shown[i]?.get(e.device) ?? [];
        for (const v of e.values) if (v.name === 'output_frequency') list.push([v.value, at]);
        shown[i]?.set(e.device, list);
      }));
    }
    /** When a stream first showed this value or a newer one of its device (values only grow per device). */
    const visibleAt = (stream: number, device: string, value: number): number | undefined => shown[stream]?.get(device)?.find(([v]) => v >= value)?.[1];
    plant = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'bench-plant' });
    const client = plant;
    // Nagle off, as the collectors' own connections (DESIGN.md: 12-15 ms p50 otherwise).
    (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    await Promise.all(devices.map((device) => client.publishAsync(topicFor(SITE, device, 'birth'), Buffer.from(encodeBirth({
      device, site: SITE, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'bench', parameters: [], timeMs: Date.now(), sessionId: `s-${device}`,
    })), { qos: 1 })));
    await sleep(1000);
    let next = 1;
    for (let r = 0; r < rounds; r++) {
      const started = performance.now();
      await Promise.all(devices.map((device) => {
        const value = next++;
        published.set(value, { device, atMs: performance.now() });
        return client.publishAsync(topicFor(SITE, device, 'telemetry'), Buffer.from(encodeTelemetry({
          device, site: SITE, samples: [{ parameter: 'output_frequency', value, quality: 'good', timeMs: Date.now() }],
        })), { qos: 1 });
      }));
      await sleep(Math.max(0, ROUND_MS - (performance.now() - started)));
    }
    await sleep(3000);
    const local: number[] = [];
    const remote: number[] = [];
    /** Per value: how much later the other stream showed it than the ingesting collector's. */
    const extra: number[] = [];
    let lost = 0;
    for (const [value, { device, atMs: at }] of published) {
      const times = [0, 1].map((i) => visibleAt(i, device, value)).filter((x): x is number => x !== undefined).sort((x, y) => x - y);
      if (times.length === 0) { lost++; continue; }
      local.push((times[0] as number) - at);
      if (times.length === 2) {
        remote.push((times[1] as number) - at);
        extra.push((times[1] as number) - (times[0] as number));
      } else lost++;
    }
    local.sort((x, y) => x - y);
    remote.sort((x, y) => x - y);
    extra.sort((x, y) => x - y);
    const f = (x: number): string => x.toFixed(1).padStart(7);
    process.stdout.write(`  ingesting collector's own stream   p50 ${f(percentile(local, 0.5))} ms   p99 ${f(percentile(local, 0.99))} ms   (${local.length} values)\n`);
    process.stdout.write(`  the other collector's stream       p50 ${f(percentile(remote, 0.5))} ms   p99 ${f(percentile(remote, 0.99))} ms   (${remote.length} values)\n`);
    process.stdout.write(`  cross-collector / own: p50 ${(percentile(remote, 0.5) / percentile(local, 0.5)).toFixed(2)}x, p99 ${(percentile(remote, 0.99) / percentile(local, 0.99)).toFixed(2)}x; `
      + `extra per value p50 ${percentile(extra, 0.5).toFixed(1)} ms, p99 ${percentile(extra, 0.99).toFixed(1)} ms; not visible on both streams: ${lost} of ${published.size}\n`);
  } finally {
    for (const s of streams) s.close();
    await plant?.endAsync(true).catch(() => undefined);
    for (const c of collectors) await c.stop().catch(() => undefined);
    await broker.stop();
    await pgServer.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runClusterLiveBench();
