/**
 * Broker credentials in the collector's SQLite file (table mqtt_credentials): one per device
 * (username "{site}/{device}") or service (username "service:{name}"). Only a salted hash is
 * stored (device-secret-hash.ts; older rows may hold scrypt hashes until their next login); the
 * password is returned once, by add(). Revoked rows stay (for the record) and keep
 * authentication on; adding the same identity again re-activates the row with a new password.
 */
import type { Database } from 'better-sqlite3';
import { FaultlineError } from '../../../protocol/errors.js';
import { assertValidId, isValidId } from '../../../protocol/topics.js';
import { deviceUsername, serviceUsername } from '../../security/acl-rules.js';
import { hashDeviceSecret } from '../../security/device-secret-hash.js';
import { generatePassword } from '../../security/password-hash.js';
import { hasTable } from './schema-check.js';
import type { CredentialIdentity, CredentialInfo, CredentialRecord, IssuedCredential } from '../port/credentials.js';

interface Row {
  id: number;
  username: string;
  kind: 'device' | 'service';
  site: string | null;
  device: string | null;
  name: string | null;
  password_hash: string;
  created_ms: number;
  rotated_ms: number | null;
  revoked_ms: number | null;
  change_seq: number;
}

function fromRow(r: Row): CredentialRecord {
  return {
    id: r.id, username: r.username, kind: r.kind, site: r.site, device: r.device, name: r.name,
    createdMs: r.created_ms, rotatedMs: r.rotated_ms, revokedMs: r.revoked_ms, passwordHash: r.password_hash, changeSeq: r.change_seq,
  };
}

export function info(c: CredentialRecord): CredentialInfo {
  const { passwordHash: _h, changeSeq: _s, ...rest } = c;
  return rest;
}

export function usernameOf(id: CredentialIdentity): string {
  if (id.kind === 'device') {
    assertValidId('site', id.site);
    assertValidId('device', id.device);
    return deviceUsername(id.site, id.device);
  }
  if (!isValidId(id.name)) {
    throw new FaultlineError('FL_ERR_SECURITY_SERVICE_NAME', `invalid service name ${JSON.stringify(id.name)}`, {
      context: { name: id.name }, hint: 'use 1-64 characters: letters, digits, \'.\', \'_\' or \'-\'',
    });
  }
  return serviceUsername(id.name);
}

export class CredentialStore {
  private readonly st;

  constructor(db: Database) {
    if (!hasTable(db, 'mqtt_credentials')) {
      throw new FaultlineError('FL_ERR_SECURITY_SCHEMA', 'the database has no mqtt_credentials table', {
        hint: 'append SECURITY_MIGRATIONS (collector/store/migrations-security.ts) to the store\'s MIGRATIONS',
      });
    }
    this.st = {
      byUsername: db.prepare<[string], Row>('SELECT * FROM mqtt_credentials WHERE username = ?'),
      all: db.prepare<[], Row>('SELECT * FROM mqtt_credentials ORDER BY kind, site, device, name'),
      any: db.prepare<[], { one: number }>('SELECT 1 AS one FROM mqtt_credentials LIMIT 1'),
      changedSince: db.prepare<[number], Row>('SELECT * FROM mqtt_credentials WHERE change_seq > ? ORDER BY change_seq'),
      maxSeq: db.prepare<[], { seq: number }>('SELECT coalesce(max(change_seq), 0) AS seq FROM mqtt_credentials'),
      insert: db.prepare<[string, string, string | null, string | null, string | null, string, number]>(`INSERT INTO mqtt_credentials
        (username, kind, site, device, name, password_hash, created_ms, change_seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(change_seq), 0) + 1 FROM mqtt_credentials))`),
      replace: db.prepare<[string, number, number]>(`UPDATE mqtt_credentials SET password_hash = ?, rotated_ms = ?, revoked_ms = NULL,
        change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM mqtt_credentials) WHERE id = ?`),
      // Not a change of the credential (same secret, faster form): change_seq stays, sessions stay up.
      rehash: db.prepare<[string, number, string]>('UPDATE mqtt_credentials SET password_hash = ? WHERE id = ? AND password_hash = ?'),
      revoke: db.prepare<[number, number]>(`UPDATE mqtt_credentials SET revoked_ms = ?,
        change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM mqtt_credentials) WHERE id = ? AND revoked_ms IS NULL`),
    };
  }

  /**
   * Creates a credential and returns its password (once). An active credential for the same
   * identity is an error unless `replace` is set; a revoked one is re-activated.
   */
  async add(identity: CredentialIdentity, nowMs: number, opts: { replace?: boolean } = {}): Promise<IssuedCredential> {
    const username = usernameOf(identity);
    const password = generatePassword();
    const hash = hashDeviceSecret(password);
    const existing = this.st.byUsername.get(username);
    if (existing && existing.revoked_ms === null && !opts.replace) {
      throw new FaultlineError('FL_ERR_SECURITY_CREDENTIAL_EXISTS', `${username} already has a credential`, {
        context: { username }, hint: 'pass --replace to issue a new password (the old one stops working), or revoke it first',
      });
    }
    if (existing) {
      this.st.replace.run(hash, nowMs, existing.id);
      return { username, password, replaced: existing.revoked_ms === null };
    }
    const site = identity.kind === 'device' ? identity.site : null;
    const device = identity.kind === 'device' ? identity.device : null;
    const name = identity.kind === 'service' ? identity.name : null;
    this.st.insert.run(username, identity.kind, site, device, name, hash, nowMs);
    return { username, password, replaced: false };
  }

  /**
   * Stores the fast form of a secret that was just verified against an old (scrypt) hash; only if
   * the row still holds that hash (a replace in between wins). Not a change of the credential.
   */
  rehash(c: CredentialRecord, fastHash: string): boolean {
    return this.st.rehash.run(fastHash, c.id, c.passwordHash).changes === 1;
  }

  /** Revokes the identity's credential; false when there is no active one. */
  revoke(identity: CredentialIdentity, nowMs: number): boolean {
    const row = this.st.byUsername.get(usernameOf(identity));
    return row !== undefined && this.st.revoke.run(nowMs, row.id).changes === 1;
  }

  find(username: string): CredentialRecord | undefined {
    const row = this.st.byUsername.get(username);
    return row ? fromRow(row) : undefined;
  }

  list(): CredentialInfo[] {
    return this.st.all.all().map((r) => info(fromRow(r)));
  }

  /** Any credential, revoked ones included: revoking the last device must not open the broker. */
  anyExists(): boolean {
    return this.st.any.get() !== undefined;
  }

  /** Credentials added, rotated or revoked after change number `seq`. */
  changedSince(seq: number): CredentialRecord[] {
    return this.st.changedSince.all(seq).map(fromRow);
  }

  latestChange(): number {
    return this.st.maxSeq.get()?.seq ?? 0;
  }
}
