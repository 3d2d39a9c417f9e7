/**
 * Ingest throughput: fault events from many device connections (default 50, QoS 1, at most 32
 * unacknowledged each, like the agent) through the collector's embedded broker into committed
 * events and tickets, acknowledged only after the group commit; printed beside the same run's
 * raw broker rate (the same publishers → bare aedes → one QoS 1 subscriber) and the ratio.
 * The collector and the bare broker each run in their own process, publishers in this one.
 * Also printed: the collector's CPU per event (all its threads; steadier than the rate on a shared
 * machine) and how busy the publishers were (well below a core: they are not what limits the rate).
 * Bounded: a fixed number of events per run. Prints figures; asserts nothing.
 */
import type { MqttClient } from 'mqtt';
import { uuidv7 } from 'uuidv7';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { benchClient, DURABLE_PG, fmt, startBareAedesProcess, startCollectorProcess } from './bench-processes.js';

export interface IngestBenchOptions {
  devices?: number;
  eventsPerDevice?: number;
  inFlight?: number;
}

/** The site of device `d` of a run: the run's name, or one of `sites` sites named after it. */
export const siteOf = (run: string, d: number, sites = 1): string => (sites > 1 ? `${run}-${d % sites}` : run);

export function payloads(run: string, devices: number, perDevice: number, sites = 1): Buffer[][] {
  return Array.from({ length: devices }, (_, d) => Array.from({ length: perDevice }, (_, i) => {
    const seq = i + 1;
    const e: FaultEvent = {
      id: uuidv7(), device: `dev-${d}`, site: siteOf(run, d, sites), seq, timeMs: Date.now(), source: 'modbus', category: 'hardware',
      code: `vfd.code_${seq % 20}`, severity: 'major', transition: seq % 4 === 0 ? 'clear' : 'raise', message: 'bench fault',
      snapshot: [{ parameter: 'motor_current', value: 12.5, quality: 'good', timeMs: Date.now() - 1000 }], logExcerpt: [], labels: {},
      adapterId: 'generic-vfd', remedy: '',
    };
    return Buffer.from(encodeFaultEvent(e));
  }));
}

/** Publishes every payload at QoS 1 with at most `inFlight` unacknowledged per connection; returns [startMs, lastAckMs]. */
export async function publishAll(clients: MqttClient[], run: string, data: Buffer[][], inFlight: number, sites = 1): Promise<[number, number]> {
  const start = Date.now();
  await Promise.all(clients.map(async (c, d) => {
    const mine = data[d] ?? [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < mine.length) {
        const p = mine[next++] as Buffer;
        await c.publishAsync(`fl/v1/${siteOf(run, d, sites)}/dev-${d}/event`, p, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  }));
  return [start, Date.now()];
}

export async function connectAll(url: string, run: string, devices: number, sites = 1): Promise<MqttClient[]> {
  return Promise.all(Array.from({ length: devices }, (_, d) => benchClient(url, `fl-${siteOf(run, d, sites)}-dev-${d}`)));
}

export interface CollectorRun {
  rate: number;
  cpuUsPerEvent: number;
  publisherShare: number;
  stored: { events: number; tickets: number };
}

export async function collectorRun(dist: string | undefined, devices: number, perDevice: number, inFlight: number, database?: string): Promise<CollectorRun> {
  const total = devices * perDevice;
  const collector = await startCollectorProcess(dist, database);
  try {
    const clients = await connectAll(collector.mqttUrl, 'bench', devices);
    const data = payloads('bench', devices, perDevice);
    const cpuBefore = collector.cpuMs();
    const publisherBefore = process.cpuUsage();
    const [start, acked] = await publishAll(clients, 'bench', data, inFlight);
    const cpuUsPerEvent = ((collector.cpuMs() - cpuBefore) * 1000) / total;
    const used = process.cpuUsage(publisherBefore);
    await Promise.all(clients.map((c) => c.endAsync()));
    const health = await (await fetch(`${collector.httpUrl}/api/health`, { headers: collector.apiHeaders })).json() as { store: { events: number; tickets: number } };
    return { rate: total / ((acked - start) / 1000), cpuUsPerEvent, publisherShare: (used.user + used.system) / 1000 / (acked - start), stored: health.store };
  } finally {
    await collector.stop();
  }
}

export async function runIngestBench(o: IngestBenchOptions = {}): Promise<void> {
  const devices = o.devices ?? 50;
  const perDevice = o.eventsPerDevice ?? 2000;
  const inFlight = o.inFlight ?? 32;
  const total = devices * perDevice;
  process.stdout.write(`ingest: ${devices} device connections x ${fmt(perDevice)} FaultEvents (${fmt(total)}), QoS 1, ${inFlight} in flight each\n`);

  const bare = await startBareAedesProcess();
  let raw: number;
  try {
    const clients = await connectAll(bare.mqttUrl, 'raw', devices);
    const delivered = bare.expect(total);
    const [start, acked] = await publishAll(clients, 'raw', payloads('raw', devices, perDevice), inFlight);
    const last = Math.max(acked, await delivered);
    raw = total / ((last - start) / 1000);
    await Promise.all(clients.map((c) => c.endAsync()));
  } finally {
    await bare.stop();
  }

  // FAULTLINE_BENCH_BASELINE_DIST: another build's dist/ (e.g. the commit before a change), run in the same session,
  // alternating with this build FAULTLINE_BENCH_BASELINE_ROUNDS times (default 3), so both see the same machine.
  const baselineDist = process.env.FAULTLINE_BENCH_BASELINE_DIST;
  const rounds = baselineDist ? Math.max(1, Number(process.env.FAULTLINE_BENCH_BASELINE_ROUNDS ?? 3)) : 1;
  const runs: Array<{ label: string; run: CollectorRun; baseline: boolean }> = [];
  // FAULTLINE_BENCH_PG=1: each round also runs the collector on a fresh PostgreSQL database (durable settings, as a cluster runs).
  const pgServer = process.env.FAULTLINE_BENCH_PG === '1' ? await startPostgres({ settings: DURABLE_PG }) : undefined;
  try {
    for (let i = 0; i < rounds; i++) {
      runs.push({ label: 'collector: PUBACK after commit (events + tickets)', run: await collectorRun(undefined, devices, perDevice, inFlight), baseline: false });
      if (pgServer) {
        const database = await pgServer.createDatabase(`ingest_${i}`);
        runs.push({ label: 'same, the store on PostgreSQL', run: await collectorRun(undefined, devices, perDevice, inFlight, database), baseline: false });
      }
      if (baselineDist) runs.push({ label: `baseline: ${baselineDist}`, run: await collectorRun(baselineDist, devices, perDevice, inFlight), baseline: true });
    }
  } finally {
    await pgServer?.stop();
  }
  process.stdout.write(`  raw broker: bare aedes -> one QoS 1 subscriber     ${fmt(raw).padStart(9)} msg/s\n`);
  const line = (label: string, r: CollectorRun): void => {
    process.stdout.write(`  ${label.padEnd(49)} ${fmt(r.rate).padStart(9)} events/s   ratio ${(r.rate / raw).toFixed(2)}\n`);
    process.stdout.write(`    CPU per event (all threads): ${r.cpuUsPerEvent.toFixed(1)} µs; publishers (this process) used ${(r.publisherShare * 100).toFixed(0)}% of a core; stored ${fmt(r.stored.events)} events, ${fmt(r.stored.tickets)} tickets\n`);
  };
  for (const r of runs) line(r.label, r.run);
  if (baselineDist) {
    const cpu = (baseline: boolean): number[] => runs.filter((r) => r.baseline === baseline).map((r) => r.run.cpuUsPerEvent).sort((x, y) => x - y);
    const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)] ?? Number.NaN;
    const [ours, base] = [cpu(false), cpu(true)];
    process.stdout.write(`  CPU per event, median of ${rounds}: this build ${median(ours).toFixed(1)} µs (${ours.map((x) => x.toFixed(1)).join(', ')}), `
      + `baseline ${median(base).toFixed(1)} µs (${base.map((x) => x.toFixed(1)).join(', ')}); ratio ${(median(ours) / median(base)).toFixed(2)}\n`);
  }
  process.stdout.write('  (issue target: >= 25,000 events/s and >= 0.5x raw)\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await runIngestBench();
