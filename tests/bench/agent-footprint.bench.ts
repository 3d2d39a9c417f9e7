/**
 * Agent footprint: a real agent process polling 100 registers at 1 Hz plus system metrics every
 * 5 s, otherwise idle, for `seconds` (default 60). Prints its RSS and CPU% beside a bare `node`
 * process idling in the same run, and the ratio. Reads /proc (Linux). Asserts nothing.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bin/log.js';
import { startCollector } from '../../collector/collector.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { benchAdapter } from './bench-adapter.js';

const TICKS = 100; // USER_HZ on Linux

function sample(pid: number): { rssMiB: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rssMiB: rssKb / 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

async function watch(procs: Array<{ name: string; child: ChildProcess }>, seconds: number): Promise<Array<{ name: string; rss: number; peak: number; cpuPct: number }>> {
  const first = procs.map((p) => sample(p.child.pid!));
  const peaks = first.map((s) => s.rssMiB);
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    procs.forEach((p, k) => { peaks[k] = Math.max(peaks[k]!, sample(p.child.pid!).rssMiB); });
  }
  const elapsed = (performance.now() - t0) / 1000;
  return procs.map((p, k) => {
    const last = sample(p.child.pid!);
    return { name: p.name, rss: last.rssMiB, peak: peaks[k]!, cpuPct: (100 * (last.cpuTicks - first[k]!.cpuTicks)) / TICKS / elapsed };
  });
}

export async function runAgentFootprintBench(seconds = Number(process.env.FAULTLINE_BENCH_FOOTPRINT_S ?? 60)): Promise<void> {
  const dir = tempDir('faultline-bench-');
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  const sim = await startModbusDevice(benchAdapter(100));
  const config = {
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{ id: 'bench-1', site: 'bench', model: 'BENCH', firmware: '1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 1000 } }, system: { enabled: true, intervalMs: 5000 } }],
    telemetry: { intervalMs: 5000 },
  };
  const agent = fork(fileURLToPath(new URL('./agent-child.js', import.meta.url)), [JSON.stringify(config)], { stdio: 'ignore', execArgv: (process.env.FAULTLINE_BENCH_AGENT_FLAGS ?? '').split(' ').filter(Boolean) });
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => { agent.once('message', () => resolve()); agent.once('exit', (c) => reject(new Error(`agent exited ${c}`))); });
    await new Promise((r) => setTimeout(r, 3000)); // let start-up settle
    process.stdout.write(`agent footprint: 100 registers at 1 Hz + system metrics every 5 s, measured over ${seconds} s\n`);
    const [a, b] = await watch([{ name: 'agent', child: agent }, { name: 'bare node', child: bare }], seconds);
    for (const r of [a!, b!]) process.stdout.write(`  ${r.name.padEnd(10)} RSS ${r.rss.toFixed(1)} MiB (peak ${r.peak.toFixed(1)})  CPU ${r.cpuPct.toFixed(2)}% of one core\n`);
    process.stdout.write(`  ratio agent / bare node RSS: ${(a!.rss / b!.rss).toFixed(2)}   (Modbus requests served: ${sim.requests})\n`);
  } finally {
    agent.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await sim.stop();
    await collector.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAgentFootprintBench();
