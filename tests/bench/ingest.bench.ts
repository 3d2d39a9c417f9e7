/**
 * Events through the collector's embedded broker into SQLite, acknowledged only after commit:
 *  1. throughput: N publisher connections, each keeping up to `inflight` QoS 1 events unacknowledged;
 *  2. latency: publish → PUBACK (= committed) at a fixed, modest rate, p50/p99;
 * printed beside a bare aedes broker (no ingest, one QoS 1 subscriber) run the same way.
 * Bounded in count and time; loopback only; prints figures, asserts nothing.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { uuidv7 } from 'uuidv7';
import { silentLogger } from '../../bin/log.js';
import { startCollector } from '../../collector/collector.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEVICES = 8;
const EVENTS_PER_DEVICE = 2500;
const INFLIGHT = 100;

function event(device: string, seq: number): Uint8Array {
  const e: FaultEvent = {
    id: uuidv7(), device, site: 'bench', seq, timeMs: Date.now(), source: 'modbus', category: 'hardware',
    code: `vfd.code_${seq % 50}`, severity: 'major', transition: seq % 2 ? 'raise' : 'clear', message: 'bench',
    snapshot: [{ parameter: 'motor_current', value: 12.5, quality: 'good', timeMs: Date.now() }], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
  return encodeFaultEvent(e);
}

async function client(url: string, id: string): Promise<MqttClient> {
  const c = connect(url, { clientId: id, protocolVersion: 4, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  (c.stream as unknown as Socket).setNoDelay(true);
  return c;
}

async function throughput(url: string): Promise<number> {
  const clients = await Promise.all(Array.from({ length: DEVICES }, (_, i) => client(url, `bench-dev-${i}`)));
  const payloads = clients.map((_, d) => Array.from({ length: EVENTS_PER_DEVICE }, (_, s) => Buffer.from(event(`dev-${d}`, s + 1))));
  const start = process.hrtime.bigint();
  await Promise.all(clients.map(async (c, d) => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < EVENTS_PER_DEVICE) {
        const i = next++;
        await c.publishAsync(`fl/v1/bench/dev-${d}/event`, payloads[d]![i]!, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: INFLIGHT }, worker));
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(clients.map((c) => c.endAsync()));
  return (DEVICES * EVENTS_PER_DEVICE) / seconds;
}

async function latency(url: string, rate = 1000, seconds = 3): Promise<{ p50: number; p99: number; n: number }> {
  const c = await client(url, 'bench-latency');
  const samples: number[] = [];
  const total = rate * seconds;
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(c.publishAsync('fl/v1/bench/lat-dev/event', Buffer.from(event('lat-dev', i + 1)), { qos: 1 }).then(() => { samples.push(performance.now() - sent); }));
  }
  await Promise.all(pending);
  await c.endAsync();
  samples.sort((a, b) => a - b);
  const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { p50: q(0.5), p99: q(0.99), n: samples.length };
}

/** The peer: bare aedes, no hooks, one QoS 1 subscriber draining everything. */
async function bareAedes(): Promise<{ url: string; stop: () => Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const server = createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sub = await client(url, 'bench-subscriber');
  await sub.subscribeAsync('fl/v1/+/+/event', { qos: 1 });
  return {
    url,
    stop: async () => {
      await sub.endAsync();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function runIngestBench(): Promise<void> {
  const dir = tempDir('faultline-bench-');
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  const bare = await bareAedes();
  try {
    process.stdout.write(`ingest: ${DEVICES} connections x ${EVENTS_PER_DEVICE} FaultEvents, ${INFLIGHT} in flight each, QoS 1\n`);
    const raw = await throughput(bare.url);
    const ours = await throughput(collector.mqttUrl);
    process.stdout.write(`  bare aedes, one QoS 1 subscriber        ${Math.round(raw).toLocaleString('en-US').padStart(9)} msg/s\n`);
    process.stdout.write(`  collector, acked after SQLite commit    ${Math.round(ours).toLocaleString('en-US').padStart(9)} events/s   (ratio ${(ours / raw).toFixed(2)})\n`);
    const health = await (await fetch(`${collector.httpUrl}/api/health`)).json() as { store: { events: number; tickets: number } };
    process.stdout.write(`  stored: ${health.store.events} events, ${health.store.tickets} tickets\n`);
    const lb = await latency(bare.url);
    const lc = await latency(collector.mqttUrl);
    process.stdout.write(`latency publish -> PUBACK at 1,000 events/s for 3 s:\n`);
    process.stdout.write(`  bare aedes                               p50 ${lb.p50.toFixed(2)} ms  p99 ${lb.p99.toFixed(2)} ms  (n=${lb.n})\n`);
    process.stdout.write(`  collector (PUBACK = committed)            p50 ${lc.p50.toFixed(2)} ms  p99 ${lc.p99.toFixed(2)} ms  (n=${lc.n})\n`);
  } finally {
    await bare.stop();
    await collector.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runIngestBench();
