/**
 * A device's secrets together: its broker credential (password, scrypt-hashed) and its write key
 * (sealed), issued, rotated (`replace`) and revoked as one. The plain password and write key are
 * returned once, to be put in the agent config; nothing can read the password back, and the
 * write key is read only to sign writes.
 */
import type { CredentialInfo, StorePort } from '../store/port.js';
import { deviceUsername } from './acl-rules.js';
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
  constructor(private readonly store: Pick<StorePort, 'credentials' | 'deviceKeys'>) {}

  /** New credential and write key; an active one is an error (FL_ERR_SECURITY_CREDENTIAL_EXISTS) unless `replace`. */
  async issue(site: string, device: string, nowMs: number, opts: { replace?: boolean } = {}): Promise<IssuedDevice> {
    const issued = await this.store.credentials.add({ kind: 'device', site, device }, nowMs, opts);
    const writeKey = generateWriteKey();
    await this.store.deviceKeys.set(site, device, writeKey, nowMs);
    return { site, device, username: issued.username, password: issued.password, writeKey, replaced: issued.replaced };
  }

  /** Every credential (never a password), with whether the device has a write key. */
  async list(): Promise<Array<CredentialInfo & { writeKey: boolean }>> {
    const withKey = await this.store.deviceKeys.owners();
    return (await this.store.credentials.list()).map((c) => ({ ...c, writeKey: c.site !== null && c.device !== null && withKey.has(deviceUsername(c.site, c.device)) }));
  }

  /** Revokes the credential and forgets the write key; false when there was neither. */
  async revoke(site: string, device: string, nowMs: number): Promise<boolean> {
    const revoked = await this.store.credentials.revoke({ kind: 'device', site, device }, nowMs);
    const forgot = await this.store.deviceKeys.delete(site, device);
    return revoked || forgot;
  }
}
