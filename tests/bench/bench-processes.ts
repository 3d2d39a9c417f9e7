/**
 * Processes and clients the broker benchmarks share: the collector as its own process (the
 * `faultline collector` CLI on a temp data dir), the bare-aedes reference child, and mqtt.js
 * clients with TCP_NODELAY. Publishers run in the bench process, the broker side in a child, so
 * the two use the machine's two cores the way a deployment does.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

const DIST = join(process.cwd(), 'dist');

/** PostgreSQL settings of a bench database: durable, as a cluster runs (the test helper's default turns fsync off). */
export const DURABLE_PG = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } as const;

export interface CollectorProcess {
  mqttUrl: string;
  httpUrl: string;
  /** Headers that authenticate an HTTP API call (a viewer's API token, when the collector has users). */
  apiHeaders: Record<string, string>;
  /** CPU time the collector process has used so far, ms (Linux /proc; NaN elsewhere): steadier than rates on a shared machine. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** User + system CPU of a process in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST, 'bin', 'faultline.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** A viewer with an API token in the data dir, for the API calls the benches make; none when the CLI has no users. */
async function benchApiHeaders(dataDir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const user = await runCli(['user', 'add', 'bench', '--role', 'viewer', '--data-dir', dataDir], env);
  if (user.code !== 0) return {};
  const token = await runCli(['user', 'token', 'add', 'bench', '--name', 'bench', '--data-dir', dataDir], env);
  const line = token.out.split('\n').find((l) => l.startsWith('flt_'));
  if (token.code !== 0 || line === undefined) throw new Error(`cannot create a bench API token: ${token.out}`);
  return { authorization: `Bearer ${line.trim()}` };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** What the login-storm bench adds to a bench collector. */
export interface CollectorExtras {
  /** Runs on the data dir before the collector opens it, e.g. to make device credentials. */
  prepare?: (dataDir: string) => Promise<void>;
  /** More command-line arguments, e.g. ['--mqtt-auth', 'off']. */
  args?: string[];
}

/**
 * A collector process from this build, or from another build's dist/ (`dist`), e.g. a baseline to
 * compare with; on SQLite in its temp data dir, or on PostgreSQL when `database` is a URL (a fresh
 * database: the bench user and token are made in it).
 */
export async function startCollectorProcess(dist = DIST, database?: string, extra: CollectorExtras = {}): Promise<CollectorProcess> {
  const dir = tempDir('faultline-bench-');
  if (extra.prepare) await extra.prepare(dir.path);
  const [mqttPort, httpPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_LOG_LEVEL: 'error' };
  if (database === undefined) delete env.FAULTLINE_DATABASE;
  else env.FAULTLINE_DATABASE = database;
  const apiHeaders = await benchApiHeaders(dir.path, env);
  // FAULTLINE_BENCH_COLLECTOR_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the collector side.
  const nodeArgs = (process.env.FAULTLINE_BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(dist, 'bin', 'faultline.js'), 'collector', '--data-dir', dir.path, '--mqtt-host', '127.0.0.1',
    '--mqtt-port', String(mqttPort), '--http-host', '127.0.0.1', '--http-port', String(httpPort), ...(extra.args ?? [])],
  { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start: ${output}`)), 60_000);
    const onData = (b: Buffer): void => {
      output += b.toString();
      if (output.includes('faultline collector running')) { clearTimeout(timer); resolve(); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`collector exited (${code}): ${output}`)); });
  });
  child.removeAllListeners('exit');
  return {
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, httpUrl: `http://127.0.0.1:${httpPort}`, apiHeaders, cpuMs: () => processCpuMs(child.pid),
    stop: async () => { await stopChild(child); dir.remove(); },
  };
}

export interface BareAedesProcess {
  mqttUrl: string;
  /** Tells the child how many messages the next run sends; resolves with the epoch ms the subscriber got the last one. */
  expect(n: number): Promise<number>;
  /** CPU time the child has used so far, ms (as CollectorProcess.cpuMs). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startBareAedesProcess(): Promise<BareAedesProcess> {
  const child = fork(join(DIST, 'tests', 'bench', 'bare-aedes-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { ready?: number }) => (typeof m.ready === 'number' ? resolve(m.ready) : reject(new Error('bad child message'))));
    child.once('exit', (code) => reject(new Error(`bare aedes child exited (${code})`)));
  });
  child.removeAllListeners('exit');
  return {
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    cpuMs: () => processCpuMs(child.pid),
    expect: (n) => {
      const done = new Promise<number>((resolve) => {
        const onMessage = (m: { done?: number }): void => {
          if (typeof m.done === 'number') { child.off('message', onMessage); resolve(m.done); }
        };
        child.on('message', onMessage);
      });
      child.send({ expect: n });
      return done;
    },
    stop: () => stopChild(child),
  };
}

export async function benchClient(url: string, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
  (c.stream as unknown as Socket).setNoDelay(true);
  return c;
}

export function percentile(sortedAsc: readonly number[], p: number): number {
  return sortedAsc[Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil(p * sortedAsc.length) - 1))] ?? Number.NaN;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
