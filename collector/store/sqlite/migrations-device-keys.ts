/**
 * Schema version 6: device write keys, the shared secrets the collector signs parameter writes
 * with (collector/security/device-key-store.ts). Only sealed keys are stored (AES-256-GCM under
 * the data directory's key file, collector/security/key-file.ts), never the plain key.
 * Part of the store's MIGRATIONS list (collector/store/migrations.ts). Append only.
 */
import type { Migration } from './migration.js';

export const DEVICE_KEY_MIGRATIONS: readonly Migration[] = [
  {
    version: 6,
    name: 'device write keys',
    sql: `
      CREATE TABLE device_write_keys (
        site TEXT NOT NULL,
        device TEXT NOT NULL,
        -- v1.<iv>.<tag>.<ciphertext>, base64url; the associated data is "site/device"
        sealed_key TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        rotated_ms INTEGER,
        PRIMARY KEY (site, device)
      );
    `,
  },
];
