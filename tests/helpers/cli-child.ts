/**
 * The faultline CLI (dist/bin/faultline.js) run by a test in a child process of its own, logging
 * at warn, its stdout and stderr kept together; SIGKILLed when the test ends if still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Teardown } from './collector-with-drive.js';
import { waitFor } from './wait.js';

export const FAULTLINE_BIN = join(process.cwd(), 'dist', 'bin', 'faultline.js');

export interface CliChild {
  child: ChildProcess;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** What it printed so far, stdout and stderr as they came. */
  output: () => string;
}

/** Starts `faultline ...args`. */
export function runCli(t: Teardown, args: readonly string[]): CliChild {
  const child = spawn(process.execPath, [FAULTLINE_BIN, ...args], { env: { ...process.env, FAULTLINE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => { output += b.toString(); });
  child.stderr?.on('data', (b: Buffer) => { output += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited, output: () => output };
}

/** Waits until a `faultline collector` child says it is running (a start, not a speed: a loaded shared machine can take many seconds). */
export async function collectorAnnounced(p: CliChild): Promise<void> {
  await waitFor('the collector to announce itself', () => (p.output().includes('faultline collector running') ? true : undefined), 60_000);
}
