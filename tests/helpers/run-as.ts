/**
 * Who a test's server process runs as. PostgreSQL refuses to run as root, and Mosquitto started
 * as root switches to a `mosquitto` user that cannot read a root-owned temp dir, so when the tests
 * run as root (CI does) the servers run as an unprivileged system user made for the purpose
 * (`faultline-test`, created once with `useradd --system`); as any other user they run as that user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_USER = 'faultline-test';

export interface RunAs {
  uid: number;
  gid: number;
  /** The user's name, for messages. */
  name: string;
}

function lookup(name: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid, name } : undefined;
  } catch {
    return undefined;
  }
}

let cached: RunAs | null | undefined;

/**
 * The unprivileged user to run servers as, or null when this process is not root (servers then
 * run as the current user). Creates the system user when missing; two test files may race to
 * create it, so a failed `useradd` is followed by a second look before giving up.
 */
export function serverUser(): RunAs | null {
  if (cached !== undefined) return cached;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return (cached = null);
  let found = lookup(TEST_USER);
  for (let attempt = 0; !found && attempt < 5; attempt++) {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', TEST_USER], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      // exit 9: exists (another test file made it meanwhile); 10: /etc/passwd locked by that other useradd
      if (attempt === 4 && !lookup(TEST_USER)) {
        throw new Error(`cannot create the system user ${TEST_USER} to run test servers as (PostgreSQL refuses root): ${String(err)}. ` +
          `Fix: run \`useradd --system ${TEST_USER}\` as root, or run the tests as a non-root user`);
      }
      execFileSync('sleep', ['0.2']);
    }
    found = lookup(TEST_USER);
  }
  if (!found) throw new Error(`system user ${TEST_USER} not found after useradd`);
  return (cached = found);
}

/** Gives a directory tree to the server user (no-op when not root). */
export function handOver(path: string, who: RunAs | null): void {
  if (!who) return;
  chownSync(path, who.uid, who.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) handOver(join(path, entry), who);
}

/** spawn() options that run the child as the server user. */
export function spawnIdentity(who: RunAs | null): { uid?: number; gid?: number } {
  return who ? { uid: who.uid, gid: who.gid } : {};
}
