/** Device messages as PostgreSQL can store them: it refuses a NUL character in TEXT (and its \u0000 escape in JSONB), which SQLite took. */
import type { IngestMessage } from '../../core/devices/ingest-message.js';

/** Text PostgreSQL refuses (a NUL character in TEXT, its \\u0000 escape in JSONB), replaced by U+FFFD. */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNul(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}

/** The message as PostgreSQL can store it: unchanged unless some string in it holds a NUL (which SQLite took, PostgreSQL does not). */
export function storable(m: IngestMessage): IngestMessage {
  return JSON.stringify(m).includes('\\u0000') ? withoutNul(m) : m;
}
