/**
 * Transactions on the PostgreSQL store's pool: BEGIN … COMMIT around a function, a lost or refused
 * connection turned into the port's "store unavailable" error, and which failures may simply be
 * run again.
 */
import type pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';

export type Tx = pg.PoolClient;

/** Runs fn in one transaction: committed when it resolves, rolled back (and the error rethrown) when it rejects. */
export type WithTx = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** Deadlock or serialization failure: the transaction may simply be run again. */
export function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** A lost or refused connection as the port's "store unavailable" (the sender redelivers); other errors as they are. */
export function unavailable(err: unknown, location: string): unknown {
  if (err instanceof FaultlineError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  if (!/^(08|57P0[1-3]|ECONN|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EPIPE)/.test(code) && !/Connection terminated/.test((err as Error).message ?? '')) return err;
  return new FaultlineError('FL_ERR_STORE_UNAVAILABLE', `PostgreSQL at ${location} cannot be reached: ${(err as Error).message}`, {
    cause: err, context: { database: location }, hint: 'check that PostgreSQL is up and reachable; nothing of this operation was committed',
  });
}

/** The transaction runner over pool; location is the database URL with its password masked (for errors). */
export function transactionRunner(pool: pg.Pool, location: string): WithTx {
  return async function withTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let tx: Tx;
    try {
      tx = await pool.connect();
    } catch (err) {
      throw unavailable(err, location);
    }
    let broken: Error | undefined;
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch((e: unknown) => { broken = e as Error; });
      throw unavailable(err, location);
    } finally {
      tx.release(broken);
    }
  };
}
