/**
 * A real PostgreSQL for tests: Debian's binaries (`/usr/lib/postgresql/<newest>/bin`, or
 * FAULTLINE_PG_BIN), a fresh cluster made by `initdb` in a temp dir, `postgres` listening on a free
 * port of 127.0.0.1 with its unix socket in the same dir, settings for speed over durability
 * (fsync off: a test database need not survive a power cut). Run as an unprivileged user when the
 * tests run as root (see run-as.ts). `stop()` shuts it down and removes the dir; call it from
 * `t.teardown` right after start. Does not use, and is not disturbed by, a cluster the Debian
 * package may have started on port 5432.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort } from './free-port.js';
import { handOver, serverUser, spawnIdentity } from './run-as.js';
import { removeAtExit, ServerProcess } from './server-process.js';

const run = promisify(execFile);

export const PG_SUPERUSER = 'faultline';

export interface PostgresServer {
  /** postgres://faultline@127.0.0.1:<port>/postgres (trust auth on loopback: no password). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  readonly version: string;
  /** A URL for another database of this server. */
  urlFor(database: string): string;
  /** Creates a database (owned by the superuser) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The directory of the newest installed PostgreSQL's binaries, or a clear error naming the package to install. */
export function findPostgresBin(): string {
  const fromEnv = process.env.FAULTLINE_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'postgres'))) throw new Error(`FAULTLINE_PG_BIN=${fromEnv} holds no postgres binary. Fix: point it at a PostgreSQL bin directory`);
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL server binaries under ${root}. Fix: apt-get install -y postgresql (or npm run setup), or set FAULTLINE_PG_BIN`);
  }
  return join(root, newest, 'bin');
}

export interface StartPostgresOptions {
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const who = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  handOver(dir, who);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C', LC_ALL: 'C' };
  const forget = removeAtExit(dir);
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', PG_SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], {
      ...spawnIdentity(who), env, cwd: dir,
    });
  } catch (err) {
    remove();
    const e = err as Error & { stderr?: string };
    throw new Error(`initdb failed in ${data}: ${e.stderr ?? e.message}`, { cause: err });
  }
  const { stdout: versionLine } = await run(join(bin, 'postgres'), ['--version']);
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '64MB',
    max_connections: 100,
    log_min_messages: 'warning',
    ...opts.settings,
  };
  // The port is free when asked but may be taken before postgres binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    let server: ServerProcess;
    try {
      server = await ServerProcess.start({
        name: 'postgres', command: join(bin, 'postgres'), args, runAs: who, env, cwd: dir,
        ready: /database system is ready to accept connections/, stopSignal: 'SIGINT',
      });
    } catch (err) {
      if (attempt < 3 && /could not bind|Address already in use/.test((err as Error).message)) continue;
      remove();
      throw err;
    }
    const urlFor = (database: string): string => `postgres://${PG_SUPERUSER}@127.0.0.1:${port}/${database}`;
    return {
      url: urlFor('postgres'), port, dir, pid: server.pid, version: versionLine.trim(),
      urlFor,
      async createDatabase(name: string): Promise<string> {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
        await run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_SUPERUSER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { env });
        return urlFor(name);
      },
      async stop(): Promise<void> {
        try {
          await server.stop();
        } finally {
          remove();
        }
      },
    };
  }
}
