/** The one way the collector, its CLIs and the tests open the store. */
import type { Logger } from '../../protocol/logger.js';
import type { SessionPolicy } from '../core/access/session-expiry.js';
import type { ScryptCost } from '../security/password-hash.js';
import type { StorePort } from './port.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export interface OpenStoreOptions {
  /** The data directory: the SQLite file faultline.db and the device-key file live here. */
  dataDir: string;
  log: Logger;
  nowMs: number;
  /** The running collector: housekeeping (WAL checkpoints) in the background. */
  background?: boolean;
  /** Open an existing store without changing it (audit verify). */
  readOnly?: boolean;
  /** scrypt cost for new password hashes (tests pass a cheap one) and the login session policy. */
  users?: { hashCost?: ScryptCost; sessionPolicy?: SessionPolicy };
}

export async function openStore(opts: OpenStoreOptions): Promise<StorePort> {
  return openSqliteStore({
    dataDir: opts.dataDir, log: opts.log, nowMs: opts.nowMs,
    ...(opts.background ? { backgroundCheckpoint: true } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.users ? { users: opts.users } : {}),
  });
}
