/**
 * Device write keys in the collector's database (table device_write_keys), sealed under the data
 * directory's key file. The collector reads a key only to sign a write; nothing ever lists one.
 */
import type { Database } from 'better-sqlite3';
import { FaultlineError } from '../../../protocol/errors.js';
import { deviceUsername } from '../../security/acl-rules.js';
import { hasTable } from './schema-check.js';
import { openWriteKey, sealWriteKey } from '../../security/write-key-cipher.js';

interface Row {
  site: string;
  device: string;
  sealed_key: string;
  created_ms: number;
  rotated_ms: number | null;
}

export class DeviceKeyStore {
  private readonly st;

  constructor(db: Database, private readonly master: Buffer) {
    if (!hasTable(db, 'device_write_keys')) {
      throw new FaultlineError('FL_ERR_SECURITY_SCHEMA', 'the database has no device_write_keys table', {
        hint: 'append DEVICE_KEY_MIGRATIONS (collector/store/migrations-device-keys.ts) to the store\'s MIGRATIONS',
      });
    }
    this.st = {
      get: db.prepare<[string, string], Row>('SELECT * FROM device_write_keys WHERE site = ? AND device = ?'),
      owners: db.prepare<[], { site: string; device: string }>('SELECT site, device FROM device_write_keys'),
      insert: db.prepare<[string, string, string, number]>('INSERT INTO device_write_keys (site, device, sealed_key, created_ms) VALUES (?, ?, ?, ?)'),
      update: db.prepare<[string, number, string, string]>('UPDATE device_write_keys SET sealed_key = ?, rotated_ms = ? WHERE site = ? AND device = ?'),
      remove: db.prepare<[string, string]>('DELETE FROM device_write_keys WHERE site = ? AND device = ?'),
    };
  }

  /** Stores (or replaces) the device's write key. */
  set(site: string, device: string, writeKey: string, nowMs: number): void {
    const sealed = sealWriteKey(this.master, deviceUsername(site, device), writeKey);
    if (this.st.update.run(sealed, nowMs, site, device).changes === 0) this.st.insert.run(site, device, sealed, nowMs);
  }

  /** The plain write key, for signing; undefined when the device has none. */
  get(site: string, device: string): string | undefined {
    const row = this.st.get.get(site, device);
    return row ? openWriteKey(this.master, deviceUsername(site, device), row.sealed_key) : undefined;
  }

  has(site: string, device: string): boolean {
    return this.st.get.get(site, device) !== undefined;
  }

  /** "site/device" of every device with a key. */
  owners(): Set<string> {
    return new Set(this.st.owners.all().map((r) => deviceUsername(r.site, r.device)));
  }

  delete(site: string, device: string): boolean {
    return this.st.remove.run(site, device).changes === 1;
  }
}
