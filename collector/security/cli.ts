/**
 * `faultline device …`: broker credentials for devices (and services) in the collector's
 * database. `add` prints the password once; only its scrypt hash is stored, so it cannot be
 * shown again (`add --replace` issues a new one). Works while the collector runs: a running
 * broker picks up additions at the next CONNECT and drops sessions of revoked or replaced
 * credentials within a few seconds.
 */
import { parseArgs } from 'node:util';
import { errorMessage, FaultlineError } from '../../protocol/errors.js';
import type { CommandIo } from '../cli.js';
import { CredentialStore, type CredentialIdentity, type CredentialInfo } from './credential-store.js';
import { openCollectorDatabase } from './open-database.js';

export const DEVICE_USAGE = `Usage: faultline device <command> [options]

Broker credentials: once any exists, the collector's MQTT broker accepts only clients with a
valid one, and a device may publish only under fl/v1/{site}/{device}/ and subscribe only to
its own rpc/req.

Commands:
  add --site S --device D      create a device credential and print its password (once)
  add --service NAME           create a service credential (may publish/subscribe anywhere)
  list [--json]                list credentials (never passwords)
  revoke --site S --device D   revoke a credential (or --service NAME); its sessions are dropped

Options:
  --data-dir DIR   the collector's data directory (default ./data)
  --replace        with add: issue a new password for an existing credential (the old one stops working)
  -h, --help       show this help
`;

class UsageError extends Error {}

type Values = {
  site?: string | undefined; device?: string | undefined; service?: string | undefined; 'data-dir'?: string | undefined;
  replace?: boolean | undefined; json?: boolean | undefined; help?: boolean | undefined;
};

function parse(argv: string[]): { command: string | undefined; values: Values } {
  try {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        site: { type: 'string' }, device: { type: 'string' }, service: { type: 'string' }, 'data-dir': { type: 'string' },
        replace: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
    return { command: positionals[0], values };
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

function identity(v: Values): CredentialIdentity {
  if (v.service !== undefined) {
    if (v.site !== undefined || v.device !== undefined) throw new UsageError('give either --service or --site with --device, not both');
    return { kind: 'service', name: v.service };
  }
  if (v.site === undefined || v.device === undefined) throw new UsageError('give --site and --device (or --service NAME)');
  return { kind: 'device', site: v.site, device: v.device };
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

function describeRow(c: CredentialInfo): string {
  const state = c.revokedMs !== null ? `revoked ${new Date(c.revokedMs).toISOString()}` : 'active';
  const since = new Date(c.rotatedMs ?? c.createdMs).toISOString();
  return `${c.kind.padEnd(8)} ${c.username.padEnd(40)} ${state.padEnd(34)} ${c.rotatedMs !== null ? 'replaced' : 'created'} ${since}`;
}

async function run(command: string, v: Values, store: CredentialStore, io: CommandIo, nowMs: number): Promise<number> {
  switch (command) {
    case 'add': {
      const id = identity(v);
      const issued = await store.add(id, nowMs, { replace: v.replace ?? false });
      io.stdout.write([
        `${issued.replaced ? 'new password issued' : 'credential created'} for ${issued.username}${issued.replaced ? ' (the old password no longer works)' : ''}.`,
        'The password is shown only this once; put it in the agent config:',
        '',
        ...(id.kind === 'device'
          ? ['devices:', `  - id: ${id.device}`, `    site: ${id.site}`, `    username: ${yamlString(issued.username)}`, `    password: ${yamlString(issued.password)}`]
          : [`  username: ${yamlString(issued.username)}`, `  password: ${yamlString(issued.password)}`]),
        '',
      ].join('\n'));
      return 0;
    }
    case 'list': {
      const rows = store.list();
      if (v.json) io.stdout.write(`${JSON.stringify({ credentials: rows }, null, 2)}\n`);
      else if (rows.length === 0) io.stdout.write('no credentials: the broker accepts every client (run `faultline device add`)\n');
      else io.stdout.write(`${rows.map(describeRow).join('\n')}\n`);
      return 0;
    }
    case 'revoke': {
      const id = identity(v);
      if (!store.revoke(id, nowMs)) {
        io.stderr.write(`faultline device: no active credential for ${id.kind === 'device' ? `${id.site}/${id.device}` : `service ${id.name}`}\n`);
        return 1;
      }
      io.stdout.write(`revoked; a connected client using it is dropped within a few seconds\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

export async function deviceCommand(argv: string[], io: CommandIo = process, now: () => number = Date.now): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
    if (parsed.values.help) {
      io.stdout.write(DEVICE_USAGE);
      return 0;
    }
    if (parsed.command === undefined) throw new UsageError('missing command (add, list or revoke)');
    if (!['add', 'list', 'revoke'].includes(parsed.command)) throw new UsageError(`unknown command "${parsed.command}"`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`faultline device: ${err.message}\n\n${DEVICE_USAGE}`);
    return 2;
  }
  let db;
  try {
    db = openCollectorDatabase(parsed.values['data-dir'] ?? './data', now());
    return await run(parsed.command, parsed.values, new CredentialStore(db), io, now());
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faultline device: ${err.message}\n\n${DEVICE_USAGE}`);
      return 2;
    }
    io.stderr.write(`faultline device: ${errorMessage(err)}\n`);
    return err instanceof FaultlineError ? 1 : 70;
  } finally {
    db?.close();
  }
}
