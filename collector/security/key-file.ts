/**
 * The data directory's key file `device-keys.key`: 32 random bytes (hex) that seal the device
 * write keys stored in the database. Created on first use with mode 0600; the collector and the
 * `faultline device` CLI share it. Keep it out of database backups (or back it up apart): the
 * database alone then gives no one the keys to write to a machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultlineError } from '../../protocol/errors.js';

export const KEY_FILE = 'device-keys.key';

/** Reads a key file (64 hex digits); FL_ERR_SECURITY_KEY_FILE when it is not one. */
export function readKeyFile(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new FaultlineError('FL_ERR_SECURITY_KEY_FILE', `${file} is not a key file (64 hex digits expected)`, {
      context: { file }, hint: 'restore the original file; without it the stored write keys cannot be opened (issue new ones with device add --replace)',
    });
  }
  return Buffer.from(text, 'hex');
}

/**
 * Reads the key file, creating it when missing (exclusive create: two processes end up with the
 * same key). `name`: another key file of the data directory (e.g. the audit checkpoint key).
 */
export function loadOrCreateKeyFile(dataDir: string, name: string = KEY_FILE): Buffer {
  const file = join(dataDir, name);
  try {
    mkdirSync(dataDir, { recursive: true });
    try {
      return readKeyFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return readKeyFile(file);
  } catch (cause) {
    if (cause instanceof FaultlineError) throw cause;
    throw new FaultlineError('FL_ERR_SECURITY_KEY_FILE', `cannot read or create ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: 'the data directory must be readable and writable by the collector',
    });
  }
}
