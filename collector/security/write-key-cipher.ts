/**
 * Device write keys: generation, and sealing at rest with AES-256-GCM under the data directory's
 * key file. The associated data binds a sealed key to its device, so a row copied onto another
 * device does not open. Format: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FaultlineError } from '../../protocol/errors.js';

/** 32 random bytes, base64url: 43 characters (the agent needs 16 or more). */
export function generateWriteKey(): string {
  return randomBytes(32).toString('base64url');
}

const VERSION = 'v1';

export function sealWriteKey(master: Buffer, owner: string, writeKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(owner, 'utf8'));
  const ct = Buffer.concat([cipher.update(writeKey, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function openWriteKey(master: Buffer, owner: string, sealed: string): string {
  const parts = sealed.split('.');
  const fail = (why: string): never => {
    throw new FaultlineError('FL_ERR_SECURITY_WRITE_KEY_SEALED', `cannot open the stored write key of ${owner}: ${why}`, {
      context: { owner },
      hint: 'the data directory\'s device-keys.key must be the one the key was stored with; otherwise issue a new key (device add --replace)',
    });
  };
  if (parts.length !== 4 || parts[0] !== VERSION) return fail('unknown format');
  const [, iv, tag, ct] = parts as [string, string, string, string];
  try {
    const decipher = createDecipheriv('aes-256-gcm', master, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return fail('wrong key file or damaged row');
  }
}
