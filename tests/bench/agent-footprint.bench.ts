/**
 * Agent footprint: the agent exactly as users run it (`faultline agent --config FILE`, default log
 * level, stdout read by the bench as a log collector would), polling 100 registers at 1 Hz plus
 * system metrics every 5 s, otherwise idle and with the default config, for `seconds` (default 60). The 100-register device
 * is an adapter file listed in `adapterFiles`. Prints its RSS and CPU% beside a bare `node`
 * process idling in the same run, and the ratio. FAULTLINE_BENCH_AGENT_FLAGS: node options for
 * the agent process; FAULTLINE_BENCH_AGENT_ENV: extra environment (e.g. FAULTLINE_AGENT_LEAN=0);
 * FAULTLINE_BENCH_TELEMETRY_MS: telemetry.intervalMs (default 1000, the config default; 5000 was the
 * default before issue #14). FAULTLINE_BENCH_AGENT_PACKAGE=1: the installed package instead
 * (`npm run package:agent`'s tarball, built and unpacked into a temp dir; its launcher run as
 * bin/faultline-agent runs it). FAULTLINE_BENCH_BASELINE_DIST=DIR: a second agent, run from another
 * build's dist/ (e.g. an earlier commit's), polls its own simulated device beside the first in the
 * same run, so both see the same machine load; the ratio of their CPU is printed.
 * CPU is the process's CPU time (user + system, /proc/PID/stat) over the wall time, printed for two
 * windows of `seconds`: the steady one, from `settleS` (FAULTLINE_BENCH_FOOTPRINT_SETTLE_S, default
 * 12) + 3 s after the agent started, and the first minute, from 3 s after it started. The first
 * includes start-up's tail: V8's memory reducer waits 8 s after start-up's last full collection,
 * then runs up to three full collections and hands ~5 MiB back to the system (~0.1 s of CPU on
 * this machine, main thread and V8's worker threads: 0.15% of a minute, once). RSS is over the
 * steady window. Reads /proc (Linux). Asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleIsFresh } from '../../agent/launch.js';
import { buildAgentPackage } from '../../agent/package/build.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { unpackTarball } from '../helpers/agent-package.js';
import { tempDir } from '../helpers/temp-dir.js';
import { benchAdapter } from './bench-adapter.js';

const TICKS = 100; // USER_HZ on Linux

function sample(pid: number): { rssMiB: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rssMiB: rssKb / 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

interface Footprint { name: string; rss: number; peak: number; mean: number; firstMean: number; cpuPct: number; firstCpuPct: number }

/**
 * Samples each process once a second for `settleS + seconds` seconds. RSS (last, peak, mean) and
 * `cpuPct` cover the last `seconds` (the steady minute); `firstMean` and `firstCpuPct` the first
 * `seconds` from the start of watching, start-up's tail included.
 */
async function watch(procs: Array<{ name: string; child: ChildProcess }>, settleS: number, seconds: number): Promise<Footprint[]> {
  const ticks: number[][] = procs.map(() => []);
  const at: number[] = [];
  const rss: number[][] = procs.map(() => []);
  const take = (): void => {
    at.push(performance.now());
    procs.forEach((p, k) => { const s = sample(p.child.pid!); ticks[k]!.push(s.cpuTicks); rss[k]!.push(s.rssMiB); });
  };
  take();
  for (let i = 0; i < settleS + seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    take();
  }
  const cpu = (k: number, from: number, to: number): number => (100 * (ticks[k]![to]! - ticks[k]![from]!)) / TICKS / ((at[to]! - at[from]!) / 1000);
  return procs.map((p, k) => {
    // The mean of the once-a-second samples: V8's heap is a sawtooth of ~4 MiB between full collections, so the last sample alone depends on when it falls.
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const steady = rss[k]!.slice(settleS);
    return {
      name: p.name, rss: steady[steady.length - 1]!, peak: Math.max(...steady), mean: mean(steady), firstMean: mean(rss[k]!.slice(0, seconds + 1)),
      cpuPct: cpu(k, settleS, settleS + seconds), firstCpuPct: cpu(k, 0, seconds),
    };
  });
}

/** Resolves on the agent's "agent started" log line; its output keeps being read (and dropped) afterwards. */
function agentStarted(agent: ChildProcess): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      output += b.toString();
      if (output.includes('"msg":"agent started"')) { output = ''; resolve(); }
      else if (output.length > 100_000) output = output.slice(-10_000);
    };
    agent.stdout?.on('data', onData);
    agent.stderr?.on('data', onData);
    agent.once('exit', (code) => reject(new Error(`agent exited (${code}): ${output}`)));
  });
}

/** One agent's config file: the bench device on `sim`, otherwise the defaults. */
function writeAgentConfig(dir: string, name: string, mqttUrl: string, sim: { host: string; port: number }): string {
  const adapterFile = join(dir, 'bench-device.json');
  writeFileSync(adapterFile, JSON.stringify(benchAdapter(100)));
  const configFile = join(dir, `${name}.yaml`);
  writeFileSync(configFile, JSON.stringify({
    mqtt: { url: mqttUrl },
    stateDir: join(dir, name),
    adapterFiles: [adapterFile],
    // Otherwise the defaults, as a new user runs it (telemetry stored every 1 s, status every 60 s).
    devices: [{ id: `bench-${name}`, site: 'bench', model: 'BENCH', firmware: '1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 1000 } }, system: { enabled: process.env.FAULTLINE_BENCH_SYSTEM_MS !== '0', intervalMs: Number(process.env.FAULTLINE_BENCH_SYSTEM_MS ?? 5000) || 5000 } }],
    telemetry: { intervalMs: Number(process.env.FAULTLINE_BENCH_TELEMETRY_MS ?? 1000) },
  }));
  return configFile;
}

export async function runAgentFootprintBench(seconds = Number(process.env.FAULTLINE_BENCH_FOOTPRINT_S ?? 60), settleS = Number(process.env.FAULTLINE_BENCH_FOOTPRINT_SETTLE_S ?? 12)): Promise<void> {
  const dir = tempDir('faultline-bench-');
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  const sim = await startModbusDevice(benchAdapter(100));
  const configFile = writeAgentConfig(dir.path, 'agent', collector.mqttUrl, sim);
  const baselineDist = process.env.FAULTLINE_BENCH_BASELINE_DIST;
  const baselineSim = baselineDist ? await startModbusDevice(benchAdapter(100)) : null;
  const flags = (process.env.FAULTLINE_BENCH_AGENT_FLAGS ?? '').split(' ').filter(Boolean);
  const extraEnv = Object.fromEntries((process.env.FAULTLINE_BENCH_AGENT_ENV ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const packaged = process.env.FAULTLINE_BENCH_AGENT_PACKAGE === '1';
  // The packaged agent: bin/faultline-agent execs node on lib/main.mjs; the same, with the bench's node flags.
  const command = packaged
    ? [join(unpackTarball((await buildAgentPackage({ outDir: join(dir.path, 'package') })).tarball, join(dir.path, 'opt')), 'lib', 'main.mjs'), '--config', configFile]
    : [join(process.cwd(), 'dist', 'bin', 'faultline.js'), 'agent', '--config', configFile];
  const agent = spawn(process.execPath, [...flags, ...command], { cwd: packaged ? dir.path : process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
  const baseline = baselineDist && baselineSim
    ? spawn(process.execPath, [...flags, join(baselineDist, 'bin', 'faultline.js'), 'agent', '--config', writeAgentConfig(dir.path, 'baseline', collector.mqttUrl, baselineSim)], { cwd: join(baselineDist, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } })
    : null;
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await Promise.all([agentStarted(agent), ...(baseline ? [agentStarted(baseline)] : [])]);
    await new Promise((r) => setTimeout(r, 3000)); // the first connection, probe and reads
    process.stdout.write(`agent footprint (${packaged ? 'the packaged faultline-agent' : 'faultline agent'} --config …${flags.length > 0 ? ` with node ${flags.join(' ')}` : ''}${process.env.FAULTLINE_BENCH_AGENT_ENV ? ` and ${process.env.FAULTLINE_BENCH_AGENT_ENV}` : ''}): 100 registers at 1 Hz + system metrics every 5 s; steady: over ${seconds} s from ${3 + settleS} s after start, first minute: over ${seconds} s from 3 s after start\n`);
    if (!packaged && !bundleIsFresh()) process.stdout.write('  (the agent bundle is missing or stale, so the agent runs from separate modules: `npm run build` writes it)\n');
    const [a, b, c] = await watch([{ name: 'agent', child: agent }, { name: 'bare node', child: bare }, ...(baseline ? [{ name: 'baseline', child: baseline }] : [])], settleS, seconds);
    for (const r of [a!, b!, ...(c ? [c] : [])]) process.stdout.write(`  ${r.name.padEnd(10)} RSS ${r.rss.toFixed(1)} MiB (peak ${r.peak.toFixed(1)}, mean ${r.mean.toFixed(1)})  CPU ${r.cpuPct.toFixed(2)}% of one core steady; first minute: CPU ${r.firstCpuPct.toFixed(2)}%, mean RSS ${r.firstMean.toFixed(1)} MiB\n`);
    process.stdout.write(`  ratio agent / bare node RSS: ${(a!.rss / b!.rss).toFixed(2)} (mean ${(a!.mean / b!.mean).toFixed(2)})   (Modbus requests served: ${sim.requests})\n`);
    if (c) process.stdout.write(`  baseline (${baselineDist}): ratio baseline / bare node RSS ${(c.rss / b!.rss).toFixed(2)} (mean ${(c.mean / b!.mean).toFixed(2)}); CPU agent / baseline ${(a!.cpuPct / c.cpuPct).toFixed(2)} steady, ${(a!.firstCpuPct / c.firstCpuPct).toFixed(2)} first minute   (Modbus requests served: ${baselineSim?.requests ?? 0})\n`);
  } finally {
    agent.kill('SIGTERM');
    baseline?.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await sim.stop();
    await baselineSim?.stop();
    await collector.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAgentFootprintBench();
