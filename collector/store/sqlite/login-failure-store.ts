/** Failed sign-ins per throttle scope in SQLite (store/port/login-failures.ts); one process owns the file, a transaction is atomic. */
import type { Database } from 'better-sqlite3';
import { THROTTLE_SCOPES, type ThrottleScope } from '../../core/access/login-throttle.js';
import type { LoginFailuresPort, ThrottleKeys } from '../port/login-failures.js';

export function createLoginFailureStore(db: Database): LoginFailuresPort {
  const recent = db.prepare<[string, string, number], { at_ms: number }>('SELECT at_ms FROM login_failures WHERE scope = ? AND key = ? AND at_ms > ? ORDER BY at_ms, id');
  const insert = db.prepare<[string, string, number]>('INSERT INTO login_failures (scope, key, at_ms) VALUES (?, ?, ?)');
  const clearPair = db.prepare<[string]>("DELETE FROM login_failures WHERE scope = 'pair' AND key = ?");
  const takeBack = db.prepare<[string, string, number]>('DELETE FROM login_failures WHERE id = (SELECT id FROM login_failures WHERE scope = ? AND key = ? AND at_ms = ? LIMIT 1)');
  const prune = db.prepare<[number]>('DELETE FROM login_failures WHERE at_ms <= ?');
  const reserve = db.transaction((keys: ThrottleKeys, sinceMs: number, nowMs: number, decide: (r: Record<ThrottleScope, number[]>) => boolean): boolean => {
    const times = (scope: ThrottleScope): number[] => recent.all(scope, keys[scope], sinceMs).map((r) => r.at_ms);
    const allowed = decide({ pair: times('pair'), address: times('address'), account: times('account') });
    if (allowed) for (const scope of THROTTLE_SCOPES) insert.run(scope, keys[scope], nowMs);
    return allowed;
  });
  const succeeded = db.transaction((keys: ThrottleKeys, atMs: number) => {
    clearPair.run(keys.pair);
    takeBack.run('address', keys.address, atMs);
    takeBack.run('account', keys.account, atMs);
  });
  return {
    reserve: async (keys, sinceMs, nowMs, decide) => reserve.immediate(keys, sinceMs, nowMs, decide),
    succeeded: async (keys, atMs) => { succeeded.immediate(keys, atMs); },
    prune: async (beforeMs) => prune.run(beforeMs).changes,
  };
}
