/**
 * `faultline user …`: people who use the HTTP API and the dashboard, in the collector's database.
 * Passwords are scrypt-hashed; a generated password and an API token are printed once and can
 * never be shown again. Works while the collector runs (the same SQLite file, WAL).
 */
import type { TokenInfo, UserRecord } from '../store/port.js';
import { userInfo } from 'node:os';
import { cliActor, tokenAudit } from './token-audit.js';
import { tokenJson } from '../api/user-view.js';
import { parseArgs } from 'node:util';
import type { CommandIo } from '../cli.js';
import { onCollectorDatabase, UsageError } from '../database-command.js';
import { isRole, ROLES } from '../core/access/roles.js';
import { generatePassword } from '../security/password-hash.js';
import type { StorePort } from '../store/port.js';

export const USER_USAGE = `Usage: faultline user <command> [options]

People who sign in to the dashboard and the HTTP API, each with one role:
  viewer < operator < engineer < admin   (README "Users and roles" says what each may do)

Commands:
  add USERNAME --role R [--display-name N] [--password-stdin]
                          add a user; without --password-stdin a strong password is
                          generated and printed once
  list [--json]           list users (never passwords)
  passwd USERNAME [--password-stdin]
                          set a new password (generated and printed once without
                          --password-stdin); ends the user's sessions
  remove USERNAME         remove a user with their sessions and API tokens
  token add USERNAME --name N
                          a new API token for the user, printed once
                          (use it as "Authorization: Bearer <token>")
  token list USERNAME [--json]
                          the user's API tokens: id, name, created, last used
                          (never the token itself)
  token revoke USERNAME ID
                          revoke one API token (its id from token list)
  token revoke USERNAME --all
                          revoke every API token of the user at once

Options:
  --data-dir DIR     the collector's data directory (default ./data)
  --role R           ${ROLES.join(', ')}
  --display-name N   the name shown in the dashboard (default: the username)
  --password-stdin   read the password from standard input (first line)
  --name N           with token add: what the token is for, e.g. "grafana"
  --all              with token revoke: every token of the user
  --json             with list and token list: JSON output
  -h, --help         show this help
`;

export interface UserCommandIo extends CommandIo {
  /** Standard input, for --password-stdin. */
  readStdin?: () => Promise<string>;
}

type Values = {
  'data-dir'?: string | undefined; role?: string | undefined; 'display-name'?: string | undefined; 'password-stdin'?: boolean | undefined;
  name?: string | undefined; json?: boolean | undefined; help?: boolean | undefined; all?: boolean | undefined;
};

interface Parsed {
  command: string;
  args: string[];
  values: Values;
}

function parse(argv: string[]): Parsed | { help: true } {
  let result;
  try {
    result = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        'data-dir': { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, 'password-stdin': { type: 'boolean' },
        name: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, all: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (result.values.help) return { help: true };
  const [first, ...rest] = result.positionals;
  if (first === undefined) throw new UsageError('missing command (add, list, passwd, remove or token add|list|revoke)');
  if (first === 'token') {
    const [sub, ...args] = rest;
    if (sub !== 'add' && sub !== 'list' && sub !== 'revoke') throw new UsageError(`unknown command "token ${sub ?? ''}" (token add, list or revoke)`);
    return { command: `token ${sub}`, args, values: result.values };
  }
  return { command: first, args: rest, values: result.values };
}

function oneUsername(p: Parsed): string {
  const [username, extra] = p.args;
  if (username === undefined) throw new UsageError(`${p.command}: give a USERNAME`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return username;
}

async function passwordFrom(v: Values, io: UserCommandIo): Promise<{ password: string; generated: boolean }> {
  if (!v['password-stdin']) return { password: generatePassword(), generated: true };
  const read = io.readStdin ?? readProcessStdin;
  const line = (await read()).split(/\r?\n/)[0] ?? '';
  return { password: line, generated: false };
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function describeToken(x: TokenInfo): string {
  const used = x.lastUsedMs === null ? 'never used' : `last used ${new Date(x.lastUsedMs).toISOString()}`;
  return `${String(x.id).padEnd(6)} ${x.name.padEnd(24)} created ${new Date(x.createdMs).toISOString()}  ${used}`;
}

function osUser(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}

function describe(u: UserRecord): string {
  const state = u.disabledMs !== null ? 'disabled' : 'active';
  const login = u.lastLoginMs === null ? 'never signed in' : `last sign-in ${new Date(u.lastLoginMs).toISOString()}`;
  return `${u.username.padEnd(24)} ${u.role.padEnd(9)} ${state.padEnd(9)} ${u.displayName.padEnd(24)} ${login}`;
}

async function run(p: Parsed, directory: Pick<StorePort, 'users' | 'tokens' | 'audit'>, io: UserCommandIo, nowMs: number): Promise<number> {
  const v = p.values;
  switch (p.command) {
    case 'add': {
      const username = oneUsername(p);
      if (v.role === undefined) throw new UsageError(`add: give --role (${ROLES.join(', ')})`);
      if (!isRole(v.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${v.role}"`);
      const { password, generated } = await passwordFrom(v, io);
      const user = await directory.users.create({ username, role: v.role, displayName: v['display-name'], password }, nowMs);
      io.stdout.write(`user ${user.username} added with role ${user.role}.\n`);
      if (generated) io.stdout.write(`Password (shown only this once): ${password}\n`);
      return 0;
    }
    case 'list': {
      if (p.args.length > 0) throw new UsageError(`unexpected argument "${p.args[0] ?? ''}"`);
      const users = await directory.users.list();
      if (v.json) {
        io.stdout.write(`${JSON.stringify({ users: users.map((u) => ({
          username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabledMs !== null,
          createdAtMs: u.createdMs, lastLoginAtMs: u.lastLoginMs,
        })) }, null, 2)}\n`);
      } else if (users.length === 0) {
        io.stdout.write('no users yet: add an admin with `faultline user add NAME --role admin`\n');
      } else {
        io.stdout.write(`${users.map(describe).join('\n')}\n`);
      }
      return 0;
    }
    case 'passwd': {
      const username = oneUsername(p);
      await directory.users.mustGet(username);
      const { password, generated } = await passwordFrom(v, io);
      const user = await directory.users.update(username, { password }, nowMs);
      io.stdout.write(`new password set for ${user.username}; their sessions have ended.\n`);
      if (generated) io.stdout.write(`Password (shown only this once): ${password}\n`);
      return 0;
    }
    case 'remove': {
      const username = oneUsername(p);
      await directory.users.remove(username);
      io.stdout.write(`user ${username.toLowerCase()} removed with their sessions and API tokens.\n`);
      return 0;
    }
    case 'token add': {
      const username = oneUsername(p);
      if (v.name === undefined) throw new UsageError('token add: give --name (what the token is for)');
      const user = await directory.users.mustGet(username);
      const created = await directory.tokens.create(user.id, v.name, nowMs);
      await directory.audit.append([tokenAudit(nowMs, cliActor(osUser()), user.username, 'token-create', [created.info])]);
      io.stdout.write([
        `API token ${created.info.id} "${created.info.name}" created for ${user.username} (acts with their role, ${user.role}).`,
        'The token is shown only this once; send it as "Authorization: Bearer <token>":',
        created.token, '',
      ].join('\n'));
      return 0;
    }
    case 'token list': {
      const user = await directory.users.mustGet(oneUsername(p));
      const tokens = await directory.tokens.list(user.id);
      if (v.json) io.stdout.write(`${JSON.stringify({ username: user.username, tokens: tokens.map(tokenJson) }, null, 2)}\n`);
      else if (tokens.length === 0) io.stdout.write(`${user.username} has no API tokens.\n`);
      else io.stdout.write(`${tokens.map(describeToken).join('\n')}\n`);
      return 0;
    }
    case 'token revoke': {
      const [username, id, extra] = p.args;
      if (username === undefined) throw new UsageError('token revoke: give a USERNAME');
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      if ((id === undefined) === (v.all !== true)) throw new UsageError('token revoke: give a token ID (from token list) or --all, not both');
      const user = await directory.users.mustGet(username);
      if (v.all) {
        const revoked = await directory.tokens.revokeAll(user.id);
        await directory.audit.append([tokenAudit(nowMs, cliActor(osUser()), user.username, 'token-revoke-all', revoked)]);
        io.stdout.write(`${revoked.length} API token(s) of ${user.username} revoked.\n`);
        return 0;
      }
      if (!/^[1-9]\d{0,15}$/.test(id ?? '')) throw new UsageError(`token revoke: the token ID must be a number, got "${id ?? ''}"`);
      const tokenId = Number(id);
      const token = (await directory.tokens.list(user.id)).find((x) => x.id === tokenId);
      await directory.tokens.revoke(user.id, tokenId);
      await directory.audit.append([tokenAudit(nowMs, cliActor(osUser()), user.username, 'token-revoke', token ? [token] : [])]);
      io.stdout.write(`API token ${tokenId}${token ? ` "${token.name}"` : ''} of ${user.username} revoked.\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${p.command}"`);
  }
}

export async function userCommand(argv: string[], io: UserCommandIo = process, now: () => number = Date.now): Promise<number> {
  let parsed: Parsed;
  try {
    const p = parse(argv);
    if ('help' in p) {
      io.stdout.write(USER_USAGE);
      return 0;
    }
    parsed = p;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`faultline user: ${err.message}\n\n${USER_USAGE}`);
    return 2;
  }
  return onCollectorDatabase({ name: 'user', usage: USER_USAGE }, parsed.values['data-dir'] ?? './data', now(), io,
    (store) => run(parsed, store, io, now()));
}

