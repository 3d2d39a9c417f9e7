/**
 * Clipping text that came from outside (a user name in a CONNECT packet, a topic, a URL) before it
 * is kept, shown or logged: a client must not be able to grow memory, answers or logs by sending
 * long strings. The clip says how much was cut.
 */

/** Enough for any name or topic faultline itself produces. */
export const CLIP_AT = 128;

export function clipText(text: string, max = CLIP_AT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…(+${text.length - max} chars)`;
}

/**
 * The same over the string fields of a log record, and of the objects inside it (one level down);
 * errors and other non-plain objects are left alone (their stack is worth keeping).
 */
export function clipFields(record: Record<string, unknown>, max = CLIP_AT * 2): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') out[key] = clipText(value, max);
    else if (isPlainObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? clipText(v, max) : v]));
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
