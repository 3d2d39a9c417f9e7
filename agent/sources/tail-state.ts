/**
 * The tailer's persisted position: which file (device + inode) and how far its lines have been
 * handed over. Written atomically (temp file, fsync, rename, fsync of the directory) so a crash
 * or power loss leaves either the old state or the new one, never a torn file.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FaultlineError } from '../../protocol/errors.js';

export interface FileId {
  dev: string;
  ino: string;
}

export interface TailState {
  version: 1;
  /** The tailed path (a state file is refused for another path). */
  path: string;
  dev: string;
  ino: string;
  offset: number;
  updatedMs: number;
  /** The consumer's own state (e.g. active log faults), stored alongside. */
  extra?: unknown;
}

export function sameFile(a: FileId, b: FileId): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Undefined when there is no state file yet. Throws FL_ERR_LOG_STATE for an unreadable or foreign one. */
export async function readTailState(statePath: string, logPath: string): Promise<TailState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FaultlineError('FL_ERR_LOG_STATE', `cannot read log offset state ${statePath}: ${(err as Error).message}`, { cause: err, context: { statePath } });
  }
  const bad = (why: string): FaultlineError => new FaultlineError('FL_ERR_LOG_STATE', `log offset state ${statePath} ${why}; starting as if it were absent`, {
    context: { statePath, logPath }, hint: 'delete the state file if it was copied from elsewhere; the agent rewrites it',
  });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('is not valid JSON');
  }
  const s = v as Partial<TailState> | null;
  if (typeof s !== 'object' || s === null || s.version !== 1 || typeof s.dev !== 'string' || typeof s.ino !== 'string'
    || typeof s.offset !== 'number' || !Number.isSafeInteger(s.offset) || s.offset < 0) throw bad('is malformed');
  if (s.path !== logPath) throw bad(`belongs to ${String(s.path)}, not ${logPath}`);
  return s as TailState;
}

export async function writeTailState(statePath: string, state: TailState): Promise<void> {
  const tmp = `${statePath}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(state)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, statePath);
  try {
    const dir = await open(dirname(statePath), 'r');
    try { await dir.sync(); } finally { await dir.close(); }
  } catch {
    // Not every platform can fsync a directory; the rename itself is still atomic.
  }
}

export async function ensureStateDir(statePath: string): Promise<void> {
  await mkdir(dirname(statePath), { recursive: true });
}

export interface TailPosition {
  file: FileId;
  offset: number;
}

export interface PositionStoreOptions {
  statePath: string;
  logPath: string;
  /** 0: write on every commit. */
  intervalMs: number;
  extra?: () => unknown;
  now: () => number;
  onError: (err: unknown) => void;
}

/** The committed position and its persistence: debounced writes, serialised, skipped when nothing changed. */
export class PositionStore {
  committed: TailPosition | undefined;
  private written = '';
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PositionStoreOptions) {}

  /** Records `pos`; writes now when `immediate` or intervalMs is 0, else within intervalMs. */
  commit(pos: TailPosition, immediate = false): void {
    this.committed = pos;
    if (immediate || this.o.intervalMs === 0) void this.flush();
    else this.timer ??= setTimeout(() => { this.timer = null; void this.flush(); }, this.o.intervalMs);
  }

  /** Writes the committed position now (resolves when written; never rejects). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.chain = this.chain.then(() => this.write());
    return this.chain;
  }

  private async write(): Promise<void> {
    const pos = this.committed;
    if (!pos) return;
    const state: TailState = { version: 1, path: this.o.logPath, dev: pos.file.dev, ino: pos.file.ino, offset: pos.offset, updatedMs: 0, extra: this.o.extra?.() };
    const key = JSON.stringify(state);
    if (key === this.written) return;
    try {
      await writeTailState(this.o.statePath, { ...state, updatedMs: this.o.now() });
      this.written = key;
    } catch (err) {
      this.o.onError(err);
    }
  }
}
