/**
 * A real Mosquitto (Debian's /usr/sbin/mosquitto, MQTT 5) for tests that need a broker that
 * refuses publishes by ACL: anonymous clients, an ACL file the test writes, on 127.0.0.1 at a
 * free port, no persistence. restart() stops it and starts it again on the same port with a new
 * ACL (clients see a lost connection and reconnect). CI installs it (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';

export const MOSQUITTO = process.env.FAULTLINE_MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** What the broker printed (its log). */
  log(): string;
  restart(acl: string): Promise<void>;
  stop(): Promise<void>;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(dir: string, acl: string): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} not found: install Debian's mosquitto (apt-get install mosquitto), or set FAULTLINE_MOSQUITTO`);
  const port = await freeLoopbackPort();
  const conf = join(dir, 'mosquitto.conf');
  const aclFile = join(dir, 'mosquitto.acl');
  // Started as root, mosquitto drops to user "mosquitto", who cannot read a private temp dir: stay root then.
  const asRoot = process.getuid?.() === 0 ? ['user root'] : [];
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', `acl_file ${aclFile}`, 'persistence false', 'log_dest stderr', 'log_type all', ...asRoot, ''].join('\n'));
  let out = '';
  let child: ChildProcess | null = null;
  const launch = async (aclText: string): Promise<void> => {
    writeFileSync(aclFile, aclText);
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
    child = c;
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (c.exitCode !== null) throw new Error(`mosquitto exited with ${c.exitCode}: ${out}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within 10 s: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const halt = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await gone;
  };
  await launch(acl);
  return {
    port, url: `mqtt://127.0.0.1:${port}`, log: () => out,
    restart: async (aclText) => { await halt(); await launch(aclText); },
    stop: halt,
  };
}
