/**
 * A small file system for disk-full tests: a tmpfs of a given size mounted by the test (root and
 * `mount -t tmpfs` needed, as on CI), and a filler that writes a file until it is full.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

export interface SmallFs {
  /** Where it is mounted; undefined when it could not be (`why` says why). */
  path: string | undefined;
  why: string;
  /** Unmounts it and removes the mount point. */
  remove(): void;
}

export function mountSmallFs(size: string): SmallFs {
  const root = tempDir('faultline-small-fs-');
  const mnt = join(root.path, 'small-fs');
  mkdirSync(mnt);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
  const remove = (): void => {
    if (mounted.status === 0) spawnSync('umount', ['-l', mnt]);
    root.remove();
  };
  if (mounted.status !== 0) return { path: undefined, why: `a small file system cannot be mounted here (root and mount -t tmpfs needed): ${mounted.stderr.trim()}`, remove };
  return { path: mnt, why: '', remove };
}

/** Writes until the file system is full (to the last 512 bytes). */
export function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 100_000; i++) {
      try {
        writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // the last partial chunk: fill to the byte
        const small = Buffer.alloc(512, 1);
        for (let j = 0; j < 200; j++) {
          try { writeSync(fd, small); } catch { break; }
        }
        return;
      }
    }
    throw new Error('the file system never filled');
  } finally {
    closeSync(fd);
  }
}
