/**
 * Password hashing for broker credentials: scrypt (node:crypto) with a random 16-byte salt per
 * credential, stored as one self-describing string `$scrypt$ln=14,r=8,p=1$<salt>$<hash>` so the
 * cost can be raised later without breaking stored hashes. Verification is constant-time, and
 * an unknown user costs the same as a wrong password (verifyAgainstNothing).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { FaultlineError } from '../../protocol/errors.js';

export interface ScryptCost {
  /** log2 of N (CPU/memory cost). */
  ln: number;
  r: number;
  p: number;
}

/** ~16 MiB and a few tens of ms per hash on a small machine; runs on libuv's thread pool, not the event loop. */
export const DEFAULT_COST: ScryptCost = { ln: 14, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.ln * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

const HASH_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function parseHash(stored: string): ParsedHash {
  const m = HASH_PATTERN.exec(stored);
  const cost = m ? { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) } : undefined;
  if (!m || !cost || cost.ln < 10 || cost.ln > 20 || cost.r < 1 || cost.p < 1) {
    // Never echo the stored value: it is secret material too.
    throw new FaultlineError('FL_ERR_SECURITY_HASH_FORMAT', 'a stored credential hash is not in the expected scrypt format', {
      hint: 'revoke the credential and add it again with `faultline device add`',
    });
  }
  return { cost, salt: Buffer.from(m[4] ?? '', 'base64'), key: Buffer.from(m[5] ?? '', 'base64') };
}

/** True when `password` matches the stored hash. Compares in constant time. */
export async function verifyPassword(password: string | Buffer, stored: string): Promise<boolean> {
  const { cost, salt, key } = parseHash(stored);
  const candidate = await derive(typeof password === 'string' ? password : password.toString('utf8'), salt, cost);
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

let dummyHash: Promise<string> | undefined;

/** Spends the same work as a real check, for a user that does not exist; always false. */
export async function verifyAgainstNothing(password: string | Buffer | undefined): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  await verifyPassword(password ?? '', await dummyHash);
  return false;
}

/** A fresh random password: 24 random bytes, 32 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
