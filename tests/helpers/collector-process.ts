/**
 * A collector as users run it, in its own process: `node dist/bin/faultline.js collector …` with
 * the given arguments, HTTP on a free loopback port, ready once it prints its HTTP URL. stop()
 * sends SIGTERM (an orderly stop: leave the share group, commit what is in flight); kill()
 * SIGKILL. The process dies with the test (ServerProcess).
 */
import { fileURLToPath } from 'node:url';
import { ServerProcess } from './server-process.js';

export const FAULTLINE_CLI = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface CollectorProcess {
  readonly httpUrl: string;
  readonly pid: number;
  /** The process's last lines of output (pino JSON and the CLI's own lines). */
  log(): string[];
  readonly running: boolean;
  /** SIGTERM, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** `readyTimeoutMs`: how long it may take to start (a busy machine compiles the HTTP schemas slowly). */
export async function startCollectorProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 90_000): Promise<CollectorProcess> {
  const server = await ServerProcess.start({
    name: 'collector', command: process.execPath, runAs: null,
    args: [FAULTLINE_CLI, 'collector', '--http-host', '127.0.0.1', '--http-port', '0', ...args],
    env: { ...process.env, FAULTLINE_LOG_LEVEL: 'info', ...env },
    ready: /HTTP API: http:\/\/\S+\/api\/health/, stopSignal: 'SIGTERM', readyTimeoutMs,
  });
  const line = server.log.find((l) => /HTTP API: http:\/\/\S+\/api\/health/.test(l)) ?? '';
  const httpUrl = /HTTP API: (http:\/\/\S+)\/api\/health/.exec(line)?.[1] ?? '';
  return {
    httpUrl, pid: server.pid,
    log: () => [...server.log],
    get running() { return server.running; },
    stop: (graceMs = 20_000) => server.stop(graceMs),
    kill: () => server.kill(),
  };
}
