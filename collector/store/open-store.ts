/**
 * The one way the collector, its CLIs and the tests open the store: SQLite under the data directory
 * by default; PostgreSQL (cluster mode) when a database URL is given, by `database` or by the
 * environment's FAULTLINE_DATABASE (so the user, device and audit commands reach the shared
 * database too, without a password on their command line).
 */
import type { Logger } from '../../protocol/logger.js';
import type { SessionPolicy } from '../core/access/session-expiry.js';
import type { ScryptCost } from '../security/password-hash.js';
import type { StorePort } from './port.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export interface OpenStoreOptions {
  /** The data directory: the SQLite file faultline.db (embedded mode) and the device-key file live here. */
  dataDir: string;
  /** postgres://… : the shared PostgreSQL database of cluster mode (default: FAULTLINE_DATABASE, else SQLite). */
  database?: string | undefined;
  log: Logger;
  nowMs: number;
  /** The running collector: housekeeping (WAL checkpoints) in the background. */
  background?: boolean;
  /** Open an existing store without changing it (audit verify). */
  readOnly?: boolean;
  /** scrypt cost for new password hashes (tests pass a cheap one) and the login session policy. */
  users?: { hashCost?: ScryptCost; sessionPolicy?: SessionPolicy };
  /** How long telemetry is kept, by sample time (default 24 h; see collector/retention.ts). */
  telemetryRetentionMs?: number;
}

export async function openStore(opts: OpenStoreOptions): Promise<StorePort> {
  const url = opts.database ?? process.env.FAULTLINE_DATABASE;
  if (url !== undefined && url !== '') {
    return openPostgresStore({
      url, dataDir: opts.dataDir, log: opts.log, nowMs: opts.nowMs, ...(opts.users ? { users: opts.users } : {}),
      ...(opts.telemetryRetentionMs === undefined ? {} : { telemetryRetentionMs: opts.telemetryRetentionMs }),
    });
  }
  return openSqliteStore({
    dataDir: opts.dataDir, log: opts.log, nowMs: opts.nowMs,
    ...(opts.background ? { backgroundCheckpoint: true } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.users ? { users: opts.users } : {}),
    ...(opts.telemetryRetentionMs === undefined ? {} : { telemetryRetentionMs: opts.telemetryRetentionMs }),
  });
}
