/**
 * For the agent package tests: builds packages (agent/package/build.ts) into a temp dir, unpacks
 * them, and runs the packaged `faultline-agent` as a child process whose JSON log lines can be
 * waited for.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { buildAgentPackage, type AgentPackage } from '../../agent/package/build.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

/** Builds one package per revision (0.2.0-<revision>), removed at the end of `t`; `deb: false` for the tarball alone. */
export async function buildPackages(t: Test, revisions: readonly string[], opts: { deb?: boolean } = {}): Promise<AgentPackage[]> {
  const out = tempDir('faultline-pkg-out-');
  t.teardown(out.remove);
  const built: AgentPackage[] = [];
  for (const revision of revisions) built.push(await buildAgentPackage({ outDir: join(out.path, revision), revision, deb: opts.deb !== false }));
  return built;
}

/** Unpacks a tarball into `dir` (created when missing); the program is then `<dir>/faultline-agent`. */
export function unpackTarball(tarball: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  return join(dir, 'faultline-agent');
}

/** Every entry of a tarball, as tar lists it. */
export function tarballEntries(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }).split('\n').filter(Boolean);
}

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

/** A packaged agent running as a child process. */
export class PackagedAgent {
  readonly lines: LogLine[] = [];
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(bin: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
    // Only what a service would have: PATH to this node (as FAULTLINE_NODE), no NODE_PATH, no npm variables.
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', FAULTLINE_NODE: process.execPath, FAULTLINE_LOG_LEVEL: 'info', ...opts.env };
    this.child = spawn(bin, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout?.on('data', (b: Buffer) => {
      partial += b.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) {
        try { this.lines.push(JSON.parse(p) as LogLine); } catch { this.output += `${p}\n`; }
      }
    });
    this.child.stderr?.on('data', (b: Buffer) => { this.output += b.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The first log line with message `msg` (and matching `where`), waiting for it. */
  logged(msg: string, where: (l: LogLine) => boolean = () => true, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(`the agent to log "${msg}" (output so far: ${this.output.slice(-500)})`, () => {
      if (this.child.exitCode !== null) throw new Error(`the agent exited with ${this.child.exitCode}: ${this.output.slice(-2000)}`);
      return this.lines.find((l) => l.msg === msg && where(l));
    }, timeoutMs);
  }

  /** SIGTERM, as systemd stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
