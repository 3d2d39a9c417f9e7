/**
 * Authentication for tests of the HTTP API: a user of some role with an API token (cheap scrypt
 * cost so tests stay fast), and a way to make every `app.inject` of a test app carry it.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Role } from '../../collector/core/access/roles.js';
import type { ScryptCost } from '../../collector/security/password-hash.js';
import { silentLogger } from '../../protocol/logger.js';
import type { StorePort } from '../../collector/store/port.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';

/** The cheapest scrypt cost password-hash.ts accepts. */
export const TEST_HASH_COST: ScryptCost = { ln: 10, r: 8, p: 1 };
/** openSqliteStore({ users: TEST_USERS }): cheap password hashes. */
export const TEST_USERS = { hashCost: TEST_HASH_COST };
export const TEST_PASSWORD = 'correct horse battery';

export interface TestCaller {
  username: string;
  role: Role;
  token: string;
  /** `{ authorization: 'Bearer …' }` */
  headers: { authorization: string };
}

/** A user (created when missing, with TEST_PASSWORD) and a fresh API token of theirs. */
export async function apiCaller(store: Pick<StorePort, 'users' | 'tokens'>, role: Role = 'admin', username = `test-${role}`): Promise<TestCaller> {
  const user = await store.users.byName(username) ?? await store.users.create({ username, role, password: TEST_PASSWORD }, Date.now());
  const { token } = await store.tokens.create(user.id, 'tests', Date.now());
  return { username: user.username, role: user.role, token, headers: { authorization: `Bearer ${token}` } };
}

/** The same against a collector's data directory (for tests that start a whole collector). */
export async function apiCallerIn(dataDir: string, role: Role = 'admin', username = `test-${role}`): Promise<TestCaller> {
  const store = openSqliteStore({ dataDir, nowMs: Date.now(), log: silentLogger(), users: TEST_USERS });
  try {
    return await apiCaller(store, role, username);
  } finally {
    await store.close();
  }
}

/** From now on every `app.inject(opts)` carries the caller's token unless opts set their own authorization header. */
export function injectAs(app: FastifyInstance, caller: TestCaller): void {
  const original = app.inject.bind(app) as (opts: InjectOptions | string) => ReturnType<FastifyInstance['inject']>;
  const inject = (opts: InjectOptions | string) => {
    const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
    return original({ ...o, headers: { ...caller.headers, ...o.headers } });
  };
  Object.defineProperty(app, 'inject', { value: inject, configurable: true, writable: true });
}
