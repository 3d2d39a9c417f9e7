/**
 * File-level helpers of the tailer: read a byte range of an open file into lines, and find the
 * file that now has a given (device, inode) in a directory (where a rotated log went).
 */
import type { FileHandle } from 'node:fs/promises';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LineSplitter, SplitOutput } from './line-splitter.js';
import { sameFile, type FileId } from './tail-state.js';

export function fileIdOf(st: { dev: bigint; ino: bigint }): FileId {
  return { dev: String(st.dev), ino: String(st.ino) };
}

/**
 * Reads [from, to) in chunks of `buf.length`, splitting lines as it goes; `onLines` gets each
 * chunk's complete lines (awaited, so lines are handed over in order). Stops early when
 * `stop()` says so. Returns the offset reached.
 */
export async function readRange(fh: FileHandle, from: number, to: number, buf: Buffer, splitter: LineSplitter,
  onLines: (out: SplitOutput, bytes: number) => Promise<void>, stop: () => boolean = () => false): Promise<number> {
  let offset = from;
  while (offset < to && !stop()) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - offset), offset);
    if (bytesRead === 0) break;
    const out: SplitOutput = { lines: [], ends: [] };
    splitter.feed(buf.subarray(0, bytesRead), offset, out);
    offset += bytesRead;
    await onLines(out, bytesRead);
  }
  return offset;
}

/** The path of the regular file in `dir` with identity `id`, if any (one stat per entry; startup only). */
export async function findFileById(dir: string, id: FileId): Promise<{ path: string; size: number } | undefined> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const st = await stat(path, { bigint: true }).catch(() => undefined);
    if (st?.isFile() && sameFile(fileIdOf(st), id)) return { path, size: Number(st.size) };
  }
  return undefined;
}
