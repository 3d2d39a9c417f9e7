/**
 * Schema of the broker's device and service credentials (collector/security/). Kept apart from
 * migrations.ts so the service-desk work and this can land independently; the composition root
 * appends these to MIGRATIONS. Append only, like every migration.
 *
 * Part of the store's MIGRATIONS list (collector/store/migrations.ts).
 */
import type { Migration } from './migration.js';

export const SECURITY_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: 'mqtt credentials',
    sql: `
      CREATE TABLE mqtt_credentials (
        id INTEGER PRIMARY KEY,
        -- device: "{site}/{device}"; service: "service:{name}"
        username TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('device', 'service')),
        site TEXT,
        device TEXT,
        name TEXT,
        -- "$scrypt$ln=14,r=8,p=1$<salt base64>$<hash base64>"; the password itself is never stored
        password_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        rotated_ms INTEGER,
        revoked_ms INTEGER,
        -- bumped on every change (add, rotate, revoke) so a running broker finds what changed
        change_seq INTEGER NOT NULL,
        CHECK ((kind = 'device' AND site IS NOT NULL AND device IS NOT NULL) OR (kind = 'service' AND name IS NOT NULL))
      );
      CREATE INDEX mqtt_credentials_change ON mqtt_credentials(change_seq);
    `,
  },
];
