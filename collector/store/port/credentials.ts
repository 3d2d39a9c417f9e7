/** Device and service MQTT credentials and device write keys, as the store port offers them (asynchronous). */

export type CredentialIdentity = { kind: 'device'; site: string; device: string } | { kind: 'service'; name: string };

/** A credential as listed: never the hash. */
export interface CredentialInfo {
  id: number;
  username: string;
  kind: 'device' | 'service';
  site: string | null;
  device: string | null;
  name: string | null;
  createdMs: number;
  rotatedMs: number | null;
  revokedMs: number | null;
}

/** What authentication needs. */
export interface CredentialRecord extends CredentialInfo {
  passwordHash: string;
  changeSeq: number;
}

export interface IssuedCredential {
  username: string;
  /** Shown once: nothing can read it back. */
  password: string;
  /** true when an existing credential was replaced (its old password stops working). */
  replaced: boolean;
}

export interface CredentialsPort {
  /** Issues a new password (only its hash is stored); refused for an existing credential unless `replace`. */
  add(identity: CredentialIdentity, nowMs: number, opts?: { replace?: boolean }): Promise<IssuedCredential>;
  revoke(identity: CredentialIdentity, nowMs: number): Promise<boolean>;
  find(username: string): Promise<CredentialRecord | undefined>;
  list(): Promise<CredentialInfo[]>;
  anyExists(): Promise<boolean>;
  /** Credentials changed after `seq` (a collector's cache follows changes made elsewhere). */
  changedSince(seq: number): Promise<CredentialRecord[]>;
  latestChange(): Promise<number>;
  /**
   * Stores the fast form of a secret just verified against an old (scrypt) hash, only if the
   * credential still holds that hash (a replace in between wins). Not a change: sessions stay up.
   */
  rehash(c: CredentialRecord, fastHash: string): Promise<boolean>;
}

/** The keys engineers' parameter writes are signed with, sealed with a master key kept apart from the database. */
export interface DeviceKeysPort {
  set(site: string, device: string, writeKey: string, nowMs: number): Promise<void>;
  get(site: string, device: string): Promise<string | undefined>;
  has(site: string, device: string): Promise<boolean>;
  /** "site/device" of every device with a key. */
  owners(): Promise<Set<string>>;
  delete(site: string, device: string): Promise<boolean>;
}
