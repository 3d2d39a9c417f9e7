/**
 * `faultline backup --data-dir D --out FILE` and `faultline restore --from FILE --data-dir D`:
 * see sqlite-backup.ts. Both remind that the device-key file is kept apart.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../protocol/errors.js';
import { KEY_FILE } from '../security/key-file.js';
import { backupDatabase, restoreDatabase, type BackupCheck } from '../store/index.js';

export const BACKUP_USAGE = `Usage: faultline backup --out FILE [--data-dir DIR]
       faultline restore --from FILE [--data-dir DIR]

backup   copies the SQLite database of a collector (running or not) to FILE, consistently (SQLite's
         online backup; ingest goes on meanwhile), then checks the copy (integrity, audit chain).
restore  puts a backup in place as DIR's database (no collector may run on DIR; a database there
         is moved aside as faultline.db.before-restore-<time>), checked before and after.

The device-key file (DIR/${KEY_FILE}) is never in a backup: copy it apart, to a place other than
the backups (it unseals the device write keys the database holds).
PostgreSQL (cluster mode): use pg_dump / pg_restore (see the README).

Options:
  --data-dir DIR   the collector's data directory (default ./data)
  --out FILE       backup: the new file (must not exist)
  --from FILE      restore: the backup to restore
  -h, --help       show this help
`;

export interface BackupIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const summary = (c: BackupCheck): string =>
  `${c.events} event(s), ${c.tickets} ticket(s), audit chain intact (${c.audit.ok ? c.audit.records : 0} row(s)), ${(c.bytes / 1e6).toFixed(1)} MB`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
}

export async function backupCommand(argv: string[], io: BackupIo = process): Promise<number> {
  return run('backup', argv, io, async (v, dataDir) => {
    if (!v.out) return usage(io, 'backup', 'give --out FILE');
    const check = await backupDatabase(dataDir, v.out);
    io.stdout.write(`backup written: ${check.file}\n  ${summary(check)}\n`
      + `Not in it: the device-key file ${join(dataDir, KEY_FILE)}. Copy it apart, once (it does not change), e.g.\n`
      + `  install -m 600 ${join(dataDir, KEY_FILE)} /somewhere/safe/${KEY_FILE}\n`);
    return 0;
  });
}

export async function restoreCommand(argv: string[], io: BackupIo = process): Promise<number> {
  return run('restore', argv, io, async (v, dataDir) => {
    if (!v.from) return usage(io, 'restore', 'give --from FILE');
    const { check, setAside } = await restoreDatabase(v.from, dataDir);
    io.stdout.write(`restored ${v.from} into ${dataDir}\n  ${summary(check)}\n`
      + (setAside ? `  the database that was there is kept as ${setAside}\n` : '')
      + `The device-key file is not in a backup: put the one you kept apart back as ${join(dataDir, KEY_FILE)} (mode 600)\n`
      + '  before starting the collector, or the stored device write keys cannot be opened (re-issue them with device add --replace).\n');
    return 0;
  });
}

type Values = ReturnType<typeof parse>;

function usage(io: BackupIo, cmd: string, why: string): number {
  io.stderr.write(`faultline ${cmd}: ${why}\n\n${BACKUP_USAGE}`);
  return 2;
}

async function run(cmd: string, argv: string[], io: BackupIo, body: (v: Values, dataDir: string) => Promise<number>): Promise<number> {
  let values: Values;
  try {
    values = parse(argv);
  } catch (err) {
    return usage(io, cmd, (err as Error).message);
  }
  if (values.help) {
    io.stdout.write(BACKUP_USAGE);
    return 0;
  }
  try {
    return await body(values, values['data-dir'] ?? './data');
  } catch (err) {
    io.stderr.write(`faultline ${cmd}: ${errorMessage(err)}\n`);
    return 1;
  }
}
