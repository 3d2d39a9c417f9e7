/**
 * Hashing of machine secrets (device and service broker passwords): 24 random bytes each, made by
 * generatePassword(), so 192 bits that no dictionary or GPU can guess. Like API tokens they need no
 * slow hash; a per-credential salt keeps two equal secrets from showing as equal hashes. Stored as
 * `$hmac-sha256$<salt>$<digest>` (base64), verified in constant time in microseconds, where scrypt
 * cost ~36 ms of CPU per login and made a reconnect storm of 10,000 devices take minutes.
 *
 * Hashes stored before (`$scrypt$…`) still verify (slowly); a successful login reports the fast
 * form to store instead (`upgrade`), so each old credential is migrated by its device's next login.
 * People's passwords stay scrypt (password-hash.ts): they are chosen by people and guessable.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { FaultlineError } from '../../protocol/errors.js';
import { verifyPassword } from './password-hash.js';

const PREFIX = '$hmac-sha256$';
const SALT_BYTES = 16;
const FAST_PATTERN = /^\$hmac-sha256\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function digest(secret: string | Buffer, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret).digest();
}

export function hashDeviceSecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  return `${PREFIX}${salt.toString('base64')}$${digest(secret, salt).toString('base64')}`;
}

export interface SecretCheck {
  ok: boolean;
  /** A fast-form hash to store in place of an old scrypt one (only after a successful check). */
  upgrade?: string;
}

/** Checks a secret against its stored hash, fast form or (from before) scrypt. */
export async function verifyDeviceSecret(secret: string | Buffer | undefined, stored: string): Promise<SecretCheck> {
  const given = secret ?? '';
  const m = FAST_PATTERN.exec(stored);
  if (m) {
    const expected = Buffer.from(m[2] ?? '', 'base64');
    const candidate = digest(given, Buffer.from(m[1] ?? '', 'base64'));
    return { ok: candidate.length === expected.length && timingSafeEqual(candidate, expected) };
  }
  if (stored.startsWith('$scrypt$')) {
    const text = typeof given === 'string' ? given : given.toString('utf8');
    return (await verifyPassword(text, stored)) ? { ok: true, upgrade: hashDeviceSecret(text) } : { ok: false };
  }
  // Never echo the stored value: it is secret material too.
  throw new FaultlineError('FL_ERR_SECURITY_HASH_FORMAT', 'a stored credential hash is in no known format', {
    hint: 'revoke the credential and add it again with `faultline device add`',
  });
}

const NOTHING_SALT = randomBytes(SALT_BYTES);
const NOTHING_DIGEST = digest(randomBytes(24), NOTHING_SALT);

/** The same work as a real check, for a user that does not exist; always false. */
export function verifyDeviceSecretAgainstNothing(secret: string | Buffer | undefined): false {
  timingSafeEqual(digest(secret ?? '', NOTHING_SALT), NOTHING_DIGEST);
  return false;
}
