/**
 * Whether a store failure means "no space left": SQLite's SQLITE_FULL, the file system's ENOSPC,
 * PostgreSQL's disk_full (53100), anywhere in the error's cause chain. Such a failure makes the
 * collector read-only until space returns (see ingest/write-state.ts).
 */
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);

export function isDiskFull(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
