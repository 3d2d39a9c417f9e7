/**
 * `npm run bench`: every benchmark in turn. Figures only; no pass/fail.
 * FAULTLINE_BENCH_OUTAGE_S (default 600, as the issue sets it) and FAULTLINE_BENCH_FOOTPRINT_S
 * (default 60) set the two long ones; FAULTLINE_BENCH_ONLY=name[,name] runs a subset.
 */
import { runAgentFootprintBench } from './agent-footprint.bench.js';
import { runCodecBench } from './codec.bench.js';
import { runFaultLatencyBench } from './fault-latency.bench.js';
import { runIngestBench } from './ingest.bench.js';
import { runLogParseBench } from './log-parse.bench.js';
import { runOutboxOutageBench } from './outbox-outage.bench.js';
import { runPgEventsBench } from './pg-events.bench.js';
import { runTicketLatencyBench } from './ticket-latency.bench.js';
import { runDashboardLatencyBench } from './dashboard-latency.js';
import { runPlantOverviewBench } from './plant-overview.bench.js';
import { runPlantApiBench } from './plant-api.bench.js';
import { runSqliteBindingBench } from './sqlite-binding.bench.js';
import { runDeviceLoginBench } from './device-login.bench.js';
import { runLoginStormBench } from './login-storm.bench.js';
import { runClusterBench } from './cluster.bench.js';
import { runClusterLiveBench } from './cluster-live.bench.js';
import { runReceiptsBench } from './receipts.bench.js';
import { runTrendBucketsBench } from './trend-buckets.bench.js';

const benches: Record<string, () => Promise<void> | void> = {
  codec: runCodecBench,
  'log-parse': runLogParseBench,
  ingest: runIngestBench,
  'pg-events': () => runPgEventsBench(),
  cluster: () => runClusterBench(),
  'cluster-live': () => runClusterLiveBench(),
  'device-login': () => runDeviceLoginBench(),
  'login-storm': () => runLoginStormBench(),
  'ticket-latency': () => runTicketLatencyBench(),
  'fault-latency': () => runFaultLatencyBench(),
  dashboard: () => runDashboardLatencyBench(),
  'plant-overview': () => runPlantOverviewBench(),
  'plant-api': () => runPlantApiBench(),
  footprint: () => runAgentFootprintBench(),
  'sqlite-binding': () => runSqliteBindingBench(),
  receipts: async () => { await runReceiptsBench(); },
  'trend-buckets': () => runTrendBucketsBench(),
  'outbox-outage': async () => { await runOutboxOutageBench(Number(process.env.FAULTLINE_BENCH_OUTAGE_S ?? 600)); },
};
const only = process.env.FAULTLINE_BENCH_ONLY?.split(',').filter(Boolean);
process.stdout.write(`faultline benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
for (const [name, run] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  await run();
}
