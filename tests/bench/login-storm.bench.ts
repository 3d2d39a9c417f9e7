/**
 * Reconnect storm (issue #15 item 9): N devices, each with its own credential, log in to a
 * `faultline collector` process (SQLite, broker security on: auth required once credentials exist)
 * right after it started, as after a collector restart, then once more on the same collector (a
 * network blip). The clients are hand-built CONNECTs over raw sockets in separate processes
 * (login-storm-client.ts), so the figure is the collector's, not MQTT.js's. Peers in the same run:
 * the same storm against bare aedes without authentication (what aedes allows on this machine) and
 * against Mosquitto with a password file (a broker that checks credentials too).
 * A fourth peer is the same collector with `--mqtt-auth off`: what broker security costs a login.
 * Prints seconds, logins/s and CPU per login of the broker process (from /proc: steadier than rates
 * on a shared machine, where a loaded scheduler sets the wall time), and the machine's load; asserts
 * nothing. FAULTLINE_BENCH_STORM_DEVICES sets N (default 10,000), FAULTLINE_BENCH_STORM_CLIENTS the
 * client processes (2), FAULTLINE_BENCH_STORM_CONCURRENCY logins in flight per client process (250).
 * FAULTLINE_BENCH_BASELINE_DIST=/path/to/other/dist adds the same storms against that build's collector.
 * FAULTLINE_BENCH_COLLECTOR_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the collector.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deviceClientId } from '../../collector/security/acl-rules.js';
import { openTestStore } from '../helpers/test-database.js';
import { startMosquitto } from '../helpers/mosquitto-server.js';
import { fmt, processCpuMs, startBareAedesProcess, startCollectorProcess } from './bench-processes.js';
import type { StormDevice, StormResult, StormRun } from './login-storm-client.js';

const CHILD = join(process.cwd(), 'dist', 'tests', 'bench', 'login-storm-client.js');
const LOGIN_TIMEOUT_MS = 60_000;
const run = promisify(execFile);

interface StormFigures { seconds: number; ok: number; refused: number; failed: number; cpuMs: number }

function load(): string {
  return loadavg().map((l) => l.toFixed(1)).join(' ');
}

function waitFor<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (key in m) { child.off('message', onMessage); child.off('exit', onExit); resolve(m[key] as T); }
    };
    const onExit = (code: number | null): void => reject(new Error(`login-storm client exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** One storm: the devices split over `processes` client processes; the broker's CPU read before and after. */
async function storm(port: number, devices: StormDevice[], processes: number, concurrency: number, cpuMs: () => number): Promise<StormFigures> {
  const children = Array.from({ length: processes }, () => fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    await Promise.all(children.map((c) => waitFor(c, 'ready')));
    const cpuBefore = cpuMs();
    const started = performance.now();
    const results = await Promise.all(children.map((c, i) => {
      const done = waitFor<StormResult>(c, 'done');
      const run: StormRun = { port, devices: devices.filter((_, j) => j % processes === i), concurrency, timeoutMs: LOGIN_TIMEOUT_MS };
      c.send({ run });
      return done;
    }));
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMs() - cpuBefore;
    await Promise.all(children.map((c) => { const closed = waitFor(c, 'closed'); c.send({ close: true }); return closed; }));
    return {
      seconds, cpuMs: cpu,
      ok: results.reduce((n, r) => n + r.ok, 0), refused: results.reduce((n, r) => n + r.refused, 0), failed: results.reduce((n, r) => n + r.failed, 0),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

function print(label: string, n: number, f: StormFigures): number {
  const perS = f.ok / f.seconds;
  process.stdout.write(`${label.padEnd(44)} ${f.seconds.toFixed(2).padStart(6)} s ${fmt(perS).padStart(7)} logins/s  `
    + `${Number.isNaN(f.cpuMs) ? '   ?' : (f.cpuMs * 1000 / n).toFixed(0).padStart(4)} µs CPU/login  ok ${f.ok} refused ${f.refused} failed ${f.failed}  (load ${load()})\n`);
  return perS;
}

/** N device credentials in the collector's data dir, made through the store as `faultline device add` makes them. */
async function provision(dataDir: string, count: number): Promise<StormDevice[]> {
  const store = openTestStore(dataDir, Date.now());
  const devices: StormDevice[] = [];
  try {
    store.db.pragma('synchronous = OFF'); // a bench's setup, not what is measured
    for (let i = 0; i < count; i++) {
      const site = 'storm';
      const device = `d${i}`;
      const issued = await store.credentials.add({ kind: 'device', site, device }, Date.now());
      devices.push({ clientId: deviceClientId(site, device), username: issued.username, password: issued.password });
    }
  } finally {
    await store.close();
  }
  return devices;
}

interface CollectorRun { devices: StormDevice[]; cold: StormFigures; warm?: StormFigures }

/**
 * A collector process (this build, or another build's dist/) on a fresh data dir with N device
 * credentials: its idle CPU over 2 s once started, then the storm right after its start, and with
 * `again` the same devices once more.
 */
async function collectorStorms(label: string, opts: { count: number; processes: number; concurrency: number; dist?: string; args?: string[]; again?: boolean; devices?: StormDevice[] }): Promise<CollectorRun> {
  let devices = opts.devices ?? [];
  const collector = await startCollectorProcess(opts.dist, undefined, {
    ...(opts.devices ? {} : { prepare: async (dir: string) => { devices = await provision(dir, opts.count); } }),
    ...(opts.args ? { args: opts.args } : {}),
  });
  const port = Number(new URL(collector.mqttUrl).port);
  try {
    const idleFrom = collector.cpuMs();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.stdout.write(`${label}: idle CPU after its start ${((collector.cpuMs() - idleFrom) / 20).toFixed(0)}% of a core\n`);
    const cold = await storm(port, devices, opts.processes, opts.concurrency, collector.cpuMs);
    print(`${label}, first logins after its start`, opts.count, cold);
    if (!opts.again) return { devices, cold };
    const warm = await storm(port, devices, opts.processes, opts.concurrency, collector.cpuMs);
    print(`${label}, the same devices again`, opts.count, warm);
    return { devices, cold, warm };
  } finally {
    await collector.stop();
  }
}

const rate = (f: StormFigures): number => f.ok / f.seconds;
const cpuPerLogin = (f: StormFigures, n: number): number => f.cpuMs * 1000 / n;

/** A password file in Mosquitto's format (mosquitto_passwd -U hashes it in place), readable by its unprivileged user. */
async function mosquittoPasswordFile(devices: StormDevice[]): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-storm-pw-'));
  chmodSync(dir, 0o755);
  const path = join(dir, 'passwords');
  writeFileSync(path, devices.map((d) => `${d.username}:${d.password}\n`).join(''), { mode: 0o644 });
  await run('mosquitto_passwd', ['-U', path]);
  chmodSync(path, 0o644);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runLoginStormBench(
  count = Number(process.env.FAULTLINE_BENCH_STORM_DEVICES ?? 10_000),
  processes = Number(process.env.FAULTLINE_BENCH_STORM_CLIENTS ?? 2),
  concurrency = Number(process.env.FAULTLINE_BENCH_STORM_CONCURRENCY ?? 250),
  baselineDist = process.env.FAULTLINE_BENCH_BASELINE_DIST,
): Promise<void> {
  process.stdout.write(`login storm: ${fmt(count)} devices from ${processes} client processes, ${concurrency} logins in flight each (load ${load()})\n`);
  const shared = { count, processes, concurrency };
  const main = await collectorStorms('collector', { ...shared, again: true });
  const off = await collectorStorms('collector --mqtt-auth off', { ...shared, args: ['--mqtt-auth', 'off'], devices: main.devices });
  if (baselineDist) process.stdout.write(`baseline: the collector of ${baselineDist}\n`);
  const base = baselineDist ? await collectorStorms('baseline', { ...shared, dist: baselineDist, again: true }) : undefined;

  const aedes = await startBareAedesProcess();
  let bare: StormFigures;
  try {
    bare = await storm(Number(new URL(aedes.mqttUrl).port), main.devices, processes, concurrency, aedes.cpuMs);
    print('bare aedes, no authentication (peer)', count, bare);
  } finally {
    await aedes.stop();
  }

  const passwords = await mosquittoPasswordFile(main.devices);
  const mosquitto = await startMosquitto({ settings: { password_file: passwords.path } });
  let mosq: StormFigures;
  try {
    mosq = await storm(mosquitto.port, main.devices, processes, concurrency, () => processCpuMs(mosquitto.pid));
    print('mosquitto 2, password file (peer)', count, mosq);
  } finally {
    await mosquitto.stop();
    passwords.remove();
  }

  const cpu = cpuPerLogin(main.cold, count);
  process.stdout.write(`collector CPU per login after its start: ${cpu.toFixed(0)} µs, so ${fmt(count)} logins take ${(cpu * count / 1e6).toFixed(1)} s of one core`
    + `${main.warm ? ` (again: ${cpuPerLogin(main.warm, count).toFixed(0)} µs, ${(cpuPerLogin(main.warm, count) * count / 1e6).toFixed(1)} s)` : ''}\n`);
  process.stdout.write(`ratios of CPU per login after a start: collector / collector without auth ${(cpu / cpuPerLogin(off.cold, count)).toFixed(2)}, `
    + `collector / bare aedes ${(cpu / cpuPerLogin(bare, count)).toFixed(2)}, collector / mosquitto ${(cpu / cpuPerLogin(mosq, count)).toFixed(2)}`
    + `${base ? `, collector / baseline ${(cpu / cpuPerLogin(base.cold, count)).toFixed(2)} (again: ${main.warm && base.warm ? (cpuPerLogin(main.warm, count) / cpuPerLogin(base.warm, count)).toFixed(2) : '?'})` : ''}\n`);
  process.stdout.write(`ratios of logins/s after a start: collector / bare aedes ${(rate(main.cold) / rate(bare)).toFixed(2)}, collector / mosquitto ${(rate(main.cold) / rate(mosq)).toFixed(2)}`
    + `${base ? `, collector / baseline ${(rate(main.cold) / rate(base.cold)).toFixed(2)}` : ''}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runLoginStormBench();
