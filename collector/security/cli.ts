/**
 * `faultline device …`: broker credentials for devices (and services) in the collector's
 * database. `add` prints the password once; only its scrypt hash is stored, so it cannot be
 * shown again (`add --replace` issues a new one). For a device, `add` also issues its write key
 * (the secret parameter writes are signed with), printed once too and stored sealed under the data
 * directory's key file (collector/security/key-file.ts); `revoke` forgets it. Works while the collector runs: a running
 * broker picks up additions at the next CONNECT and drops sessions of revoked or replaced
 * credentials within a few seconds.
 */
import type { CredentialIdentity, CredentialInfo } from '../store/port.js';
import { parseArgs } from 'node:util';
import type { CommandIo } from '../cli.js';
import { onCollectorDatabase, UsageError } from '../database-command.js';

import type { CredentialsPort } from '../store/port.js';
import { DeviceProvisioning } from './device-provisioning.js';
import { BROKER_CONNECTION_OPTIONS, BROKER_PASSWORD_ENV } from '../broker/broker-args.js';
import { dynsecFromArgs } from './dynsec-sync.js';
import type { MosquittoDynsec } from './mosquitto-dynsec.js';

export const DEVICE_USAGE = `Usage: faultline device <command> [options]

Broker credentials: once any exists, the collector's MQTT broker accepts only clients with a
valid one, and a device may publish only under fl/v1/{site}/{device}/ and subscribe only to
its own rpc/req.

Commands:
  add --site S --device D      create a device credential and write key and print both (once)
  add --service NAME           create a service credential (may publish/subscribe anywhere)
  list [--json]                list credentials (never passwords)
  revoke --site S --device D   revoke a credential (or --service NAME); its sessions are dropped

Options:
  --data-dir DIR   the collector's data directory (default ./data)
  --replace        with add: issue a new password (and write key) for an existing credential (the old ones stop working)
  -h, --help       show this help

Cluster mode on Mosquitto (the broker enforces the credentials; the database keeps them too,
with FAULTLINE_DATABASE for the shared PostgreSQL):
  --broker URL              also drive the broker's dynamic-security plugin: add creates the
                            client and a role limited to the device's own topics, revoke deletes
                            them (and drops the session), list shows whether the broker knows each
  --broker-user U           a dynamic-security admin (mosquitto_ctrl dynsec init makes one)
  --broker-password-file F  its password (or ${BROKER_PASSWORD_ENV}); never on the command line
  --broker-ca FILE          the CA (PEM) of the broker's certificate (mqtts)
`;

type Values = {
  site?: string | undefined; device?: string | undefined; service?: string | undefined; 'data-dir'?: string | undefined;
  replace?: boolean | undefined; json?: boolean | undefined; help?: boolean | undefined;
  broker?: string | undefined; 'broker-user'?: string | undefined; 'broker-password-file'?: string | undefined; 'broker-ca'?: string | undefined;
};

function parse(argv: string[]): { command: string | undefined; values: Values } {
  try {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        site: { type: 'string' }, device: { type: 'string' }, service: { type: 'string' }, 'data-dir': { type: 'string' },
        replace: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        ...BROKER_CONNECTION_OPTIONS,
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

async function addDevice(site: string, device: string, v: Values, provisioning: DeviceProvisioning, io: CommandIo, nowMs: number, broker: MosquittoDynsec | undefined): Promise<number> {
  const issued = await provisioning.issue(site, device, nowMs, { replace: v.replace ?? false });
  await broker?.provisionDevice(site, device, issued.password);
  io.stdout.write([
    ...(broker ? ['the broker (dynamic security) has the client and its role too.'] : []),
    issued.replaced
      ? `new password issued for ${issued.username} (the old password no longer works), with a new write key (the old one is refused).`
      : `credential and write key created for ${issued.username}.`,
    'They are shown only this once; put them in the agent config:',
    '',
    'devices:', `  - id: ${device}`, `    site: ${site}`, `    username: ${yamlString(issued.username)}`,
    `    password: ${yamlString(issued.password)}`, `    writeKey: ${yamlString(issued.writeKey)}`,
    '',
  ].join('\n'));
  return 0;
}

async function run(command: string, v: Values, credentials: CredentialsPort, provisioning: DeviceProvisioning, io: CommandIo, nowMs: number, broker: MosquittoDynsec | undefined): Promise<number> {
  const store = credentials;
  switch (command) {
    case 'add': {
      const id = identity(v);
      if (id.kind === 'device') return addDevice(id.site, id.device, v, provisioning, io, nowMs, broker);
      const issued = await store.add(id, nowMs, { replace: v.replace ?? false });
      await broker?.provisionService(id.name, issued.password);
      io.stdout.write([
        `${issued.replaced ? 'new password issued' : 'credential created'} for ${issued.username}${issued.replaced ? ' (the old password no longer works)' : ''}.`,
        'The password is shown only this once; put it in the agent config:',
        '',
        `  username: ${yamlString(issued.username)}`, `  password: ${yamlString(issued.password)}`,
        '',
      ].join('\n'));
      return 0;
    }
    case 'list': {
      const rows = await store.list();
      const known = broker ? new Set(await broker.listClients()) : undefined;
      const onBroker = (c: CredentialInfo): boolean | undefined => (known ? known.has(c.username) : undefined);
      if (v.json) io.stdout.write(`${JSON.stringify({ credentials: rows.map((c) => (known ? { ...c, broker: onBroker(c) } : c)) }, null, 2)}\n`);
      else if (rows.length === 0) io.stdout.write('no credentials: the broker accepts every client (run `faultline device add`)\n');
      else io.stdout.write(`${rows.map((c) => describeRow(c) + (known ? `  broker: ${onBroker(c) ? 'yes' : 'no'}` : '')).join('\n')}\n`);
      return 0;
    }
    case 'revoke': {
      const id = identity(v);
      const revokedHere = id.kind === 'device' ? await provisioning.revoke(id.site, id.device, nowMs) : await store.revoke(id, nowMs);
      const revokedThere = broker ? (id.kind === 'device' ? await broker.revokeDevice(id.site, id.device) : await broker.revokeService(id.name)) : false;
      const revoked = revokedHere || revokedThere;
      if (!revoked) {
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
  const dataDir = parsed.values['data-dir'] ?? './data';
  const { command, values } = parsed;
  return onCollectorDatabase({ name: 'device', usage: DEVICE_USAGE }, dataDir, now(), io, async (store) => {
    // Connect to the broker first: a wrong admin password fails before anything is written.
    const broker = await dynsecFromArgs(values, process.env);
    try {
      return await run(command, values, store.credentials, new DeviceProvisioning(store), io, now(), broker);
    } finally {
      await broker?.close();
    }
  });
}
