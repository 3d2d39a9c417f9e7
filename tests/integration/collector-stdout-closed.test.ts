/**
 * Issue #15 item 4: a log sink that fails must never stop the collector. The collector CLI runs
 * as a real child process with its stdout in a real pipe (a FIFO, as in `faultline collector |
 * head -1` or a log shipper): once with the reader gone (EPIPE), once with a reader that is alive
 * but never reads (the pipe fills). Either way the desk must keep answering HTTP, a SIGHUP (whose
 * answer goes to stdout) must not kill it, the broken sink must be said once on stderr, and
 * SIGTERM must stop it within seconds with exit code 0.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'faultline.js');
/** A SIGTERM is answered in well under a second; this only tells a frozen process (which never stops) from a slow machine. */
const STOP_WITHIN_MS = 30_000;

// Two collector processes and ~1,700 requests: on a loaded shared machine this file needs more than tap's default 120 s.
t.setTimeout(300_000);

interface Running {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The read end of the FIFO the collector's stdout goes into (closed by `closeReader`). */
  closeReader: () => void;
}

async function startWithFifoStdout(t: Test): Promise<Running> {
  const dir = tempDir('faultline-stdout-');
  t.teardown(dir.remove);
  const fifo = join(dir.path, 'stdout.fifo');
  execFileSync('mkfifo', [fifo]);
  // Non-blocking, so opening the read end does not wait for a writer; then the write end opens at once.
  let readFd: number | undefined = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(fifo, constants.O_WRONLY);
  const closeReader = (): void => {
    if (readFd !== undefined) closeSync(readFd);
    readFd = undefined;
  };
  const httpPort = await freeLoopbackPort();
  // A config file, so that a SIGHUP reloads it and says so on stdout.
  const config = join(dir.path, 'desk.yaml');
  writeFileSync(config, 'lifecycle:\n  verifyCloseHoldSeconds: 60\n');
  const child = spawn(process.execPath, [BIN, 'collector', '--config', config, '--data-dir', join(dir.path, 'data'), '--mqtt-host', '127.0.0.1', '--mqtt-port', '0',
    '--http-host', '127.0.0.1', '--http-port', String(httpPort)], { env: { ...process.env, FAULTLINE_LOG_LEVEL: 'info' }, stdio: ['ignore', writeFd, 'pipe'] });
  closeSync(writeFd);
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    closeReader();
  });
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor('the collector to answer /api/health', async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined), 60_000); // a start, not a speed: a loaded shared machine can take many seconds
  return { child, base, stderr: () => stderr, exited, closeReader };
}

/**
 * Failed sign-ins, each of which writes a log line; stops at the first request not answered within
 * 5 s, or once `enough()` holds (checked every 50 requests).
 */
async function logNoise(base: string, count: number, enough: () => boolean = () => false): Promise<{ answered: number; firstFailure?: string }> {
  for (let i = 0; i < count; i++) {
    if (i % 50 === 0 && i > 0 && enough()) return { answered: count };
    try {
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000),
        body: JSON.stringify({ username: `noise-${i}-${'x'.repeat(50)}`, password: 'not the password' }),
      });
      await res.arrayBuffer();
    } catch (err) {
      return { answered: i, firstFailure: String(err) };
    }
  }
  return { answered: count };
}

async function healthStatus(base: string): Promise<number | string> {
  try {
    return (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) })).status;
  } catch (err) {
    return String(err);
  }
}

async function stopsOnSigterm(t: Test, run: Running): Promise<void> {
  const started = Date.now();
  run.child.kill('SIGTERM');
  const result = await Promise.race([run.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), STOP_WITHIN_MS))]);
  t.same(result, { code: 0, signal: null }, `SIGTERM stops it with exit code 0 within ${STOP_WITHIN_MS / 1000} s (took ${Date.now() - started} ms)`);
}

t.test('stdout whose reader went away (EPIPE): the desk goes on, says it once on stderr, stops on SIGTERM', async (t) => {
  const run = await startWithFifoStdout(t);
  run.closeReader();
  const noise = await logNoise(run.base, 100);
  t.same(noise, { answered: 100 }, 'every request that logs is answered');
  run.child.kill('SIGHUP'); // its answer ("config reloaded from …") is written to stdout
  const after = await logNoise(run.base, 20);
  t.same(after, { answered: 20 }, 'still answering after a SIGHUP wrote to the closed stdout');
  t.equal(await healthStatus(run.base), 200, 'health answers');
  t.equal(run.child.exitCode, null, `still running (stderr: ${run.stderr().slice(0, 600)})`);
  const notes = run.stderr().match(/stdout is closed/g) ?? [];
  t.equal(notes.length, 1, `the dropped log sink is said once on stderr: ${run.stderr().slice(0, 600)}`);
  await stopsOnSigterm(t, run);
});

t.test('stdout whose reader never reads (the pipe fills): logging drops lines instead of stalling', async (t) => {
  const run = await startWithFifoStdout(t);
  // A FIFO holds 64 KiB and each failed sign-in logs a line of ~250 bytes: ~1,300 fill the pipe and
  // the 256 KiB the sink keeps waiting; then 200 more, to be well past the point where it used to freeze.
  const noise = await logNoise(run.base, 6000, () => /stdout is not reading/.test(run.stderr()));
  t.same(noise, { answered: 6000 }, 'every request that logs is answered while nobody reads the logs');
  t.same(await logNoise(run.base, 200), { answered: 200 }, 'and more after the sink started dropping');
  t.equal(await healthStatus(run.base), 200, 'health answers');
  t.match(run.stderr(), /stdout is not reading/, `the stalled log sink is said on stderr: ${run.stderr().slice(0, 600)}`);
  await stopsOnSigterm(t, run);
});
