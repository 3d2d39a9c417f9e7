/**
 * A device's secrets together: its broker credential (password, scrypt-hashed) and its write key
 * (sealed), issued, rotated (`replace`) and revoked as one. The plain password and write key are
 * returned once, to be put in the agent config; nothing can read the password back, and the
 * write key is read only to sign writes.
 */
import type { Database } from 'better-sqlite3';
import { CredentialStore } from './credential-store.js';
import { DeviceKeyStore } from './device-key-store.js';
import { loadOrCreateKeyFile } from './key-file.js';
import { generateWriteKey } from './write-key-cipher.js';

export interface IssuedDevice {
  site: string;
  device: string;
  username: string;
  password: string;
  writeKey: string;
  /** An existing credential (and key) was replaced: the old ones stop working. */
  replaced: boolean;
}

export class DeviceProvisioning {
  readonly credentials: CredentialStore;
  readonly keys: DeviceKeyStore;

  constructor(db: Database, dataDir: string) {
    this.credentials = new CredentialStore(db);
    this.keys = new DeviceKeyStore(db, loadOrCreateKeyFile(dataDir));
  }

  /** New credential and write key; an active one is an error (FL_ERR_SECURITY_CREDENTIAL_EXISTS) unless `replace`. */
  async issue(site: string, device: string, nowMs: number, opts: { replace?: boolean } = {}): Promise<IssuedDevice> {
    const issued = await this.credentials.add({ kind: 'device', site, device }, nowMs, opts);
    const writeKey = generateWriteKey();
    this.keys.set(site, device, writeKey, nowMs);
    return { site, device, username: issued.username, password: issued.password, writeKey, replaced: issued.replaced };
  }

  /** Revokes the credential and forgets the write key; false when there was neither. */
  revoke(site: string, device: string, nowMs: number): boolean {
    const revoked = this.credentials.revoke({ kind: 'device', site, device }, nowMs);
    const forgot = this.keys.delete(site, device);
    return revoked || forgot;
  }
}
