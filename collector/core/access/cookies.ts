/**
 * A small Cookie / Set-Cookie codec (RFC 6265 subset): enough for the session cookie, without
 * @fastify/cookie (its cookie@2 dependency wants Node 22). Pure.
 */

/** Cookie header → name/value map. The first of duplicate names wins; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // A value that is not valid percent-encoding is not ours; skip it.
    }
  }
  return out;
}

/** How many cookies of this name the header carries (a browser sends one per matching path and domain). */
export function cookieCount(header: string | undefined, name: string): number {
  if (!header) return 0;
  return header.split(';').filter((part) => part.slice(0, Math.max(0, part.indexOf('='))).trim() === name).length;
}

export interface CookieAttributes {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  path?: string;
  /** Seconds; 0 deletes the cookie. */
  maxAgeS?: number;
  expires?: Date;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** One Set-Cookie value. Throws on a name that is not an RFC 7230 token. */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes = {}): string {
  if (!TOKEN.test(name)) throw new TypeError(`invalid cookie name "${name}"`);
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (attrs.path !== undefined) parts.push(`Path=${attrs.path}`);
  if (attrs.maxAgeS !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attrs.maxAgeS))}`);
  if (attrs.expires !== undefined) parts.push(`Expires=${attrs.expires.toUTCString()}`);
  if (attrs.httpOnly) parts.push('HttpOnly');
  if (attrs.secure) parts.push('Secure');
  if (attrs.sameSite !== undefined) parts.push(`SameSite=${attrs.sameSite}`);
  return parts.join('; ');
}
