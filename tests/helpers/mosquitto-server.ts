/**
 * A real Mosquitto for tests: Debian's `/usr/sbin/mosquitto` (or FAULTLINE_MOSQUITTO) with a
 * config in a temp dir, one MQTT listener (3.1.1 and 5) on a free port of 127.0.0.1, persistence
 * in the same dir, and optionally the dynamic-security plugin with an admin client made by
 * `mosquitto_ctrl dynsec init`. Runs as an unprivileged user when the tests run as root (see
 * run-as.ts). `restart()` stops and starts it on the same port and dir (persistent sessions and
 * queued messages survive it); `stop()` stops it and removes the dir.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort } from './free-port.js';
import { handOver, serverUser } from './run-as.js';
import { removeAtExit, ServerProcess } from './server-process.js';

const run = promisify(execFile);

export interface MosquittoServer {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The broker's pid (changes on restart). */
  readonly pid: number;
  /** The dynamic-security admin (may publish to $CONTROL/#), when the plugin is on. */
  readonly admin: { username: string; password: string } | undefined;
  /** The broker's last lines of log, for failure messages. */
  log(): string;
  /** Stops and starts the broker on the same port; with `acl`, under that ACL file content from now on. */
  restart(acl?: string): Promise<void>;
  /** SIGKILL, no orderly shutdown (the persistence file keeps what was last saved). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMosquittoOptions {
  /** Load the dynamic-security plugin (clients then need credentials; anonymous is refused). */
  dynamicSecurity?: boolean;
  /** Extra config lines, e.g. { max_queued_messages: 100000 }. */
  settings?: Record<string, string | number>;
  /** An ACL file's content (Mosquitto's acl_file syntax); clients see only what it allows. */
  acl?: string;
}

export function findMosquitto(): string {
  const path = process.env.FAULTLINE_MOSQUITTO ?? '/usr/sbin/mosquitto';
  if (!existsSync(path)) throw new Error(`no mosquitto binary at ${path}. Fix: apt-get install -y mosquitto (or npm run setup), or set FAULTLINE_MOSQUITTO`);
  return path;
}

/** The dynamic-security plugin shipped with Debian's mosquitto (multiarch lib dir), or FAULTLINE_MOSQUITTO_DYNSEC. */
export function findDynsecPlugin(): string {
  const fromEnv = process.env.FAULTLINE_MOSQUITTO_DYNSEC;
  if (fromEnv) return fromEnv;
  const name = 'mosquitto_dynamic_security.so';
  const dirs = ['/usr/lib', '/usr/local/lib', ...readdirSync('/usr/lib').filter((d) => d.includes('-linux-')).map((d) => join('/usr/lib', d))];
  for (const dir of dirs) {
    for (const candidate of [join(dir, name), join(dir, 'mosquitto', name)]) if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no ${name} under ${dirs.join(', ')}. Fix: apt-get install -y mosquitto (Debian ships the plugin with it), or set FAULTLINE_MOSQUITTO_DYNSEC`);
}

export async function startMosquitto(opts: StartMosquittoOptions = {}): Promise<MosquittoServer> {
  const binary = findMosquitto();
  const who = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-mosquitto-'));
  const forget = removeAtExit(dir);
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  let admin: { username: string; password: string } | undefined;
  try {
    const lines: string[] = [];
    if (opts.dynamicSecurity) {
      admin = { username: 'fl-admin', password: randomBytes(18).toString('base64url') };
      const dynsecFile = join(dir, 'dynamic-security.json');
      await run('mosquitto_ctrl', ['dynsec', 'init', dynsecFile, admin.username, admin.password]);
      lines.push(`plugin ${findDynsecPlugin()}`, `plugin_opt_config_file ${dynsecFile}`, 'allow_anonymous false');
    } else {
      lines.push('allow_anonymous true');
    }
    const aclFile = join(dir, 'acl');
    if (opts.acl !== undefined) {
      writeFileSync(aclFile, opts.acl);
      lines.push(`acl_file ${aclFile}`);
    }
    lines.push(
      'persistence true', `persistence_location ${dir}/`, 'autosave_interval 1',
      'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', 'log_timestamp false',
      ...Object.entries(opts.settings ?? {}).map(([k, v]) => `${k} ${v}`),
    );
    let port = 0;
    let server: ServerProcess | undefined;
    const startOnce = async (): Promise<ServerProcess> => {
      const config = join(dir, 'mosquitto.conf');
      // per_listener_settings false (the default): the plugin and allow_anonymous apply to this listener
      writeFileSync(config, [`listener ${port} 127.0.0.1`, ...lines, ''].join('\n'));
      handOver(dir, who);
      return ServerProcess.start({
        name: 'mosquitto', command: binary, args: ['-c', config], runAs: who, cwd: dir,
        ready: /mosquitto version \S+ running/, stopSignal: 'SIGTERM',
      });
    };
    for (let attempt = 1; !server; attempt++) {
      port = await freeLoopbackPort();
      try {
        server = await startOnce();
      } catch (err) {
        if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err;
      }
    }
    let current: ServerProcess = server;
    return {
      url: `mqtt://127.0.0.1:${port}`, port, dir, admin,
      get pid() { return current.pid; },
      log: () => current.log.join('\n'),
      async restart(acl?: string): Promise<void> {
        await current.stop();
        if (acl !== undefined) {
          if (opts.acl === undefined) throw new Error('restart(acl) needs a broker started with an acl');
          writeFileSync(aclFile, acl);
        }
        current = await startOnce();
      },
      async kill(): Promise<void> {
        await current.kill();
      },
      async stop(): Promise<void> {
        try {
          await current.stop();
        } finally {
          remove();
        }
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
