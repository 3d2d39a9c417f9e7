/**
 * Bearer secrets (session ids, API tokens): 32 random bytes, base64url, with an optional prefix
 * so a leaked token is recognisable in a scanner. Only their SHA-256 is ever stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;

export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** Hex SHA-256: the stored form of a session id or token (high entropy, so no salt or slow hash needed). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The CSRF token of a session, derived from its id (nothing more to store; useless without the cookie). */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`faultline-csrf\u0000${sessionId}`, 'utf8').digest('base64url');
}

/** Constant-time string comparison. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
