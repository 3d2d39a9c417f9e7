/**
 * A server binary run by a test: started, awaited until its log says it is ready, stopped with a
 * signal (then SIGKILL if it lingers). Keeps the last lines of its output for error messages.
 * No server outlives its test: it runs under `setpriv --pdeathsig KILL`, so the kernel kills it
 * when the test process dies however it dies (even SIGKILL); and when the test process exits
 * without stopping it (an uncaught error), an exit hook kills it and removes its temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import type { RunAs } from './run-as.js';
import { spawnIdentity } from './run-as.js';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface ServerProcessOptions {
  /** For messages: "postgres", "mosquitto". */
  name: string;
  command: string;
  args: readonly string[];
  runAs: RunAs | null;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A line of the server's output that means it accepts connections. */
  ready: RegExp;
  readyTimeoutMs?: number;
  /** Signal for an orderly stop (postgres: SIGINT = fast shutdown; mosquitto: SIGTERM). */
  stopSignal: NodeJS.Signals;
}

const LOG_LINES = 60;
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // a killed server may still be closing files in it; nothing more can be done at exit
      }
    }
  });
}

/** Removes `dir` when the test process exits, unless the returned function is called first (after a normal removal). */
export function removeAtExit(dir: string): () => void {
  installExitHook();
  tempDirs.add(dir);
  return () => { tempDirs.delete(dir); };
}

/** The command line that runs `command` as `runAs` and dies with this process (setpriv), or the plain one. */
function launcher(command: string, args: readonly string[], runAs: RunAs | null): { file: string; argv: string[]; identity: { uid?: number; gid?: number } } {
  if (!SETPRIV) return { file: command, argv: [...args], identity: spawnIdentity(runAs) };
  const who = runAs ? ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--clear-groups'] : [];
  return { file: SETPRIV, argv: ['--pdeathsig', 'KILL', ...who, '--', command, ...args], identity: {} };
}

export class ServerProcess {
  readonly log: string[] = [];
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(private readonly child: ChildProcess, private readonly opts: ServerProcessOptions) {
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(code);
      });
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.log.push(line);
        if (this.log.length > LOG_LINES) this.log.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.opts.name} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Starts the binary and waits for its ready line; on failure the process is killed and the error carries its log. */
  static async start(opts: ServerProcessOptions): Promise<ServerProcess> {
    installExitHook();
    const { file, argv, identity } = launcher(opts.command, opts.args, opts.runAs);
    const child = spawn(file, argv, {
      ...identity,
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, opts);
    const timeoutMs = opts.readyTimeoutMs ?? 20_000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${opts.name} did not become ready within ${timeoutMs} ms`)), timeoutMs);
        const check = (chunk: Buffer): void => {
          if (opts.ready.test(chunk.toString('utf8')) || server.log.some((l) => opts.ready.test(l))) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('error', (err) => { clearTimeout(timer); reject(err); });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal})`));
        });
      });
    } catch (err) {
      await server.stop();
      throw new Error(`${(err as Error).message}; ${opts.command} ${opts.args.join(' ')}\n--- last output ---\n${server.log.join('\n')}`, { cause: err });
    }
    return server;
  }

  /** Orderly stop, then SIGKILL after `graceMs`; resolves once the process has exited. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(this.opts.stopSignal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills without an orderly stop (for crash tests). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
