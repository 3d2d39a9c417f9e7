/**
 * Cluster mode on this machine, in one run: fault events from simulated devices (MQTT clients
 * publishing protobuf FaultEvents with their own ids and sequence numbers at QoS 1, at most 32
 * unacknowledged each, over 10 sites) through one real Mosquitto to 1, 2 and 3 collector
 * processes (`faultline collector --database postgres://… --broker mqtt://…`, one share group) on
 * one real PostgreSQL (durable: fsync and synchronous_commit on); beside them the embedded mode
 * (one collector process: aedes + SQLite) with the same devices and events. A cluster run ends when
 * every event is committed in PostgreSQL (the broker's PUBACK is not a commit); a fresh database
 * per run. Printed per run: events/s, the ratio to the embedded rate, and CPU µs per event of each
 * process (each collector, PostgreSQL's backends together, Mosquitto; /proc/<pid>/stat), which is
 * steadier than the rate on a shared machine and what the README's sizing table is derived from.
 * Then 10,000 devices connect to the broker of the 3-collector cluster and publish their birth;
 * printed: the time until all are online in the shared database, and each collector's and the
 * broker's RSS. Bounded in events, devices and time; prints figures, asserts nothing.
 *
 * FAULTLINE_BENCH_CLUSTER_EVENTS (default 4,000, over 50 devices), FAULTLINE_BENCH_CLUSTER_FLEET
 * (default 10,000 connected devices) size it.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startCollectorProcess, type CollectorProcess } from '../helpers/collector-process.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto-server.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { childrenOf } from '../helpers/process-state.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DURABLE_PG, fmt, processCpuMs } from './bench-processes.js';
import { connectFleet } from './connected-fleet.js';
import { collectorRun, connectAll, payloads, publishAll } from './ingest.bench.js';

const DEVICES = 50;
const SITES = 10;
const IN_FLIGHT = 32;
const RUN_TIMEOUT_MS = 180_000;

/** Mosquitto as the README recommends for collectors (README, "Cluster mode"). */
const MOSQUITTO_SETTINGS = { max_queued_messages: 100_000, max_inflight_messages: 100, max_connections: -1 };

/** Resident set size of a process in MiB (/proc/<pid>/status), NaN when gone. */
export function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

const postgresCpuMs = (server: PostgresServer): number => [server.pid, ...childrenOf(server.pid)].reduce((sum, pid) => sum + processCpuMs(pid), 0);

interface ClusterRun {
  collectors: number;
  rate: number;
  stored: number;
  total: number;
  /** CPU µs per event: each collector, PostgreSQL, Mosquitto. */
  cpu: { collectors: number[]; postgres: number; broker: number };
}

async function startCluster(n: number, database: string, broker: MosquittoServer, home: string): Promise<CollectorProcess[]> {
  const collectors: CollectorProcess[] = [];
  for (let i = 1; i <= n; i++) {
    collectors.push(await startCollectorProcess(['--database', database, '--broker', broker.url, '--collector-id', `c${i}`, '--data-dir', `${home}/c${i}`],
      { FAULTLINE_LOG_LEVEL: 'warn' }));
  }
  return collectors;
}

async function count(db: pg.Client, sql: string): Promise<number> {
  return Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

/** Polls until `sql` counts `want` rows or `timeoutMs` passed; returns the count and when it was last seen to grow. */
async function waitForCount(db: pg.Client, sql: string, want: number, timeoutMs: number): Promise<{ n: number; atMs: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = { n: -1, atMs: Date.now() };
  while (Date.now() < deadline) {
    const n = await count(db, sql);
    if (n !== last.n) last = { n, atMs: Date.now() };
    if (n >= want) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

async function clusterRun(n: number, pgServer: PostgresServer, broker: MosquittoServer, perDevice: number, fleet: number): Promise<ClusterRun> {
  const home = tempDir('faultline-bench-cluster-');
  const database = await pgServer.createDatabase(`cluster_${n}`);
  const db = new pg.Client({ connectionString: database });
  let collectors: CollectorProcess[] = [];
  try {
    collectors = await startCluster(n, database, broker, home.path);
    await db.connect();
    const run = `c${n}`;
    const total = DEVICES * perDevice;
    const clients = await connectAll(broker.url, run, DEVICES, SITES);
    const data = payloads(run, DEVICES, perDevice, SITES);
    const before = { collectors: collectors.map((c) => processCpuMs(c.pid)), postgres: postgresCpuMs(pgServer), broker: processCpuMs(broker.pid) };
    const [start] = await publishAll(clients, run, data, IN_FLIGHT, SITES);
    const done = await waitForCount(db, 'SELECT count(*) AS n FROM events', total, RUN_TIMEOUT_MS);
    const per = (ms: number): number => (ms * 1000) / done.n;
    const cpu = {
      collectors: collectors.map((c, i) => per(processCpuMs(c.pid) - (before.collectors[i] ?? 0))),
      postgres: per(postgresCpuMs(pgServer) - before.postgres), broker: per(processCpuMs(broker.pid) - before.broker),
    };
    await Promise.all(clients.map((c) => c.endAsync()));
    const result: ClusterRun = { collectors: n, rate: done.n / ((done.atMs - start) / 1000), stored: done.n, total, cpu };
    if (fleet > 0) await fleetRun(fleet, collectors, broker, db);
    return result;
  } finally {
    await db.end().catch(() => undefined);
    for (const c of collectors) await c.stop();
    home.remove();
  }
}

/** `fleet` devices connect to the cluster's broker and publish their birth; prints the time until all are online and the RSS of each process. */
async function fleetRun(fleet: number, collectors: CollectorProcess[], broker: MosquittoServer, db: pg.Client): Promise<void> {
  const rss = (): string => `${collectors.map((c, i) => `collector ${i + 1} ${rssMiB(c.pid).toFixed(0)}`).join(', ')}, mosquitto ${rssMiB(broker.pid).toFixed(0)} MiB`;
  process.stdout.write(`  ${fmt(fleet)} connected devices (births at QoS 1, then idle), ${collectors.length} collectors; RSS before: ${rss()}\n`);
  const start = Date.now();
  const devices = await connectFleet(broker.url, 'fleet', fleet, 100);
  try {
    const connectedMs = Date.now() - start;
    const online = await waitForCount(db, "SELECT count(*) AS n FROM devices WHERE online AND site LIKE 'fleet-%'", fleet, RUN_TIMEOUT_MS);
    process.stdout.write(`    ${fmt(devices.born)} connected and born in ${(connectedMs / 1000).toFixed(1)} s; ${fmt(online.n)} online in PostgreSQL after ${((online.atMs - start) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`    RSS with them connected: ${rss()}\n`);
  } finally {
    devices.close();
  }
}

export async function runClusterBench(): Promise<void> {
  const total = Number(process.env.FAULTLINE_BENCH_CLUSTER_EVENTS ?? 4_000);
  const fleet = Number(process.env.FAULTLINE_BENCH_CLUSTER_FLEET ?? 10_000);
  const perDevice = Math.max(1, Math.round(total / DEVICES));
  process.stdout.write(`cluster: ${DEVICES} devices at ${SITES} sites x ${fmt(perDevice)} FaultEvents (${fmt(DEVICES * perDevice)}), QoS 1, ${IN_FLIGHT} in flight each; `
    + `PostgreSQL durable; Mosquitto ${Object.entries(MOSQUITTO_SETTINGS).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);

  const embedded = await collectorRun(undefined, DEVICES, perDevice, IN_FLIGHT);
  process.stdout.write(`  embedded (aedes + SQLite, 1 collector)      ${fmt(embedded.rate).padStart(7)} events/s   CPU/event: collector ${embedded.cpuUsPerEvent.toFixed(0)} µs\n`);

  const pgServer = await startPostgres({ settings: DURABLE_PG });
  const broker = await startMosquitto({ settings: MOSQUITTO_SETTINGS });
  try {
    process.stdout.write(`  (${pgServer.version}; ${broker.url})\n`);
    for (const n of [1, 2, 3]) {
      const r = await clusterRun(n, pgServer, broker, perDevice, n === 3 ? fleet : 0);
      const cpu = `collectors ${r.cpu.collectors.map((x) => x.toFixed(0)).join(' + ')} µs, postgres ${r.cpu.postgres.toFixed(0)} µs, mosquitto ${r.cpu.broker.toFixed(0)} µs`;
      const incomplete = r.stored < r.total ? ` (INCOMPLETE: ${fmt(r.stored)} of ${fmt(r.total)} stored within ${RUN_TIMEOUT_MS / 1000} s)` : '';
      process.stdout.write(`  cluster, ${n} collector${n > 1 ? 's' : ' '} on PostgreSQL + Mosquitto ${fmt(r.rate).padStart(7)} events/s   ratio to embedded ${(r.rate / embedded.rate).toFixed(2)}${incomplete}\n`);
      process.stdout.write(`    CPU/event: ${cpu}; total ${(r.cpu.collectors.reduce((a, b) => a + b, 0) + r.cpu.postgres + r.cpu.broker).toFixed(0)} µs\n`);
    }
  } finally {
    await broker.stop();
    await pgServer.stop();
  }
  process.stdout.write('  (issue goal: 1 collector on PostgreSQL >= 0.5x the embedded rate; 10,000 connected devices across the cluster)\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await runClusterBench();
