/**
 * Connections to the cluster's PostgreSQL (node-postgres). One place decides how values come
 * back: BIGINT (epoch milliseconds, ids, sequence numbers) as a JS number — every such value the
 * collector stores is far below 2^53, and one that is not is refused loudly rather than rounded.
 * JSONB comes back parsed (pg's default). A URL is checked before use, and only ever shown with
 * its password masked.
 */
import pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';

/** What the store's code needs of a pool, a pooled client or a client: a query. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new FaultlineError('FL_ERR_STORE_PG_BIGINT', `a BIGINT value ${text} is beyond JavaScript's exact integer range`, {
      context: { value: text },
      hint: 'the collector stores epoch milliseconds, ids and counters as BIGINT; a value this large means a corrupt row',
    });
  }
  return n;
}

/** pg's type parsers with BIGINT as number (for the Pool/Client `types` option; the global parsers stay untouched). */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** Checks a `--database` URL: postgres:// or postgresql://, a host, a database name. */
export function checkDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_STORE_PG_URL', 'the database URL is not a URL', {
      context: { url: redactUrl(url) }, cause,
      hint: 'write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE',
    });
  }
  const problems: string[] = [];
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') problems.push(`scheme ${u.protocol} (expected postgres: or postgresql:)`);
  if (!u.hostname) problems.push('no host');
  if (u.pathname.replace(/^\//, '') === '') problems.push('no database name');
  if (problems.length > 0) {
    throw new FaultlineError('FL_ERR_STORE_PG_URL', `the database URL ${redactUrl(url)} has ${problems.join(', ')}`, {
      context: { url: redactUrl(url), problems },
      hint: 'write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE',
    });
  }
  return u;
}

export interface PoolOptions {
  /** Connections this collector may hold (default 10). */
  max?: number;
  /** application_name, shown in pg_stat_activity (default "faultline-collector"). */
  applicationName?: string;
  /**
   * Told when an idle pooled connection breaks (database restart, failover, admin kill). The pool
   * drops that connection and opens a new one when next needed; without a listener node-postgres
   * would raise it as an uncaught error and end the process.
   */
  onIdleError?: (err: Error) => void;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  checkDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'faultline-collector',
    types: PG_TYPES,
  });
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}
