/**
 * `faultline audit verify [--data-dir DIR] [--database URL]`: recomputes the audit log's hash chain
 * from the first row, checks it against the signed checkpoints of its head (checkpoint-file.ts),
 * and exits 1 naming the first row that does not fit or the rows cut off the end (0 when the chain
 * is intact, 2 on usage errors). Opens the database read-only, so it can run beside a live collector.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../protocol/errors.js';
import { silentLogger } from '../../protocol/logger.js';
import { readKeyFile } from '../security/key-file.js';
import { openStore } from '../store/index.js';
import type { ChainCheck, StorePort } from '../store/port.js';
import { CHECKPOINT_FILE, CHECKPOINT_KEY_FILE, readCheckpoints, type CheckpointRead } from './checkpoint-file.js';

export const AUDIT_USAGE = `Usage: faultline audit verify [options]

Checks the collector's tamper-evident audit log: every row must carry the SHA-256 of the row
before it and of its own content, and the log must reach every signed checkpoint of its head
the collector wrote (so rows cut off the end are noticed). Exits 0 when the chain is intact,
1 naming the first broken row, the rows missing after a checkpoint, or a forged checkpoint.

Options:
  --data-dir DIR           where faultline.db, the checkpoint file and its key live (default ./data)
  --database URL           postgres://… : the shared PostgreSQL database of cluster mode
                           (default: FAULTLINE_DATABASE, else SQLite under --data-dir)
  --checkpoints FILE       the checkpoint file (default DIR/${CHECKPOINT_FILE})
  --checkpoint-key FILE    its key (default DIR/${CHECKPOINT_KEY_FILE})
  -h, --help               show this help
`;

export interface AuditIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

function describe(check: Extract<ChainCheck, { ok: false }>): string {
  const r = check.row;
  const what = r ? ` (${new Date(r.atMs).toISOString()}, ${r.subject.kind} ${r.subject.id}, ${r.action} by ${r.actor.kind} ${r.actor.id})` : '';
  return `audit log broken at row ${check.brokenSeq}${what}: ${check.reason}; ${check.records} row(s) before it are intact\n`;
}

interface Options { dataDir: string; database: string | undefined; checkpoints: string; key: string }

function options(argv: string[]): Options | { help: true } | { usage: string } {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        'data-dir': { type: 'string' }, database: { type: 'string' }, checkpoints: { type: 'string' }, 'checkpoint-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { usage: (err as Error).message };
  }
  if (values.help) return { help: true };
  if (positionals.length !== 1 || positionals[0] !== 'verify') return { usage: 'expected the subcommand "verify"' };
  const dataDir = values['data-dir'] ?? './data';
  return {
    dataDir, database: values.database,
    checkpoints: values.checkpoints ?? join(dataDir, CHECKPOINT_FILE), key: values['checkpoint-key'] ?? join(dataDir, CHECKPOINT_KEY_FILE),
  };
}

/** The signed checkpoints, or why they cannot be trusted; undefined when there is no checkpoint file. */
function loadCheckpoints(o: Options): CheckpointRead | undefined | { error: string } {
  try {
    const key = readKeyFile(o.key);
    return readCheckpoints(o.checkpoints, key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        return readCheckpoints(o.checkpoints, Buffer.alloc(32)) === undefined ? undefined
          : { error: `the checkpoint file ${o.checkpoints} exists but its key ${o.key} does not; pass --checkpoint-key` };
      } catch (inner) {
        return { error: errorMessage(inner) };
      }
    }
    return { error: errorMessage(err) };
  }
}

export async function auditCommand(argv: string[], io: AuditIo = process): Promise<number> {
  const o = options(argv);
  if ('usage' in o) {
    io.stderr.write(`faultline audit: ${o.usage}\n\n${AUDIT_USAGE}`);
    return 2;
  }
  if ('help' in o) {
    io.stdout.write(AUDIT_USAGE);
    return 0;
  }
  const cps = loadCheckpoints(o);
  if (cps !== undefined && 'error' in cps) {
    io.stderr.write(`faultline audit: ${cps.error}\n`);
    return 1;
  }
  let store: StorePort;
  try {
    store = await openStore({ dataDir: o.dataDir, database: o.database, nowMs: Date.now(), log: silentLogger(), readOnly: true });
  } catch (err) {
    io.stderr.write(`faultline audit: no collector store in ${o.dataDir} (${(err as Error).message}); pass the collector's --data-dir or --database\n`);
    return 2;
  }
  try {
    const check = await store.audit.verify(cps?.checkpoints ?? []);
    const last = cps?.checkpoints.at(-1);
    const lastLine = cps === undefined
      ? `no checkpoint file (${o.checkpoints}): the end of the log is not anchored\n`
      : last === undefined ? `no checkpoint in ${o.checkpoints} yet\n`
        : `last checkpoint: row ${last.seq} (hash ${last.hash}) at ${new Date(last.atMs).toISOString()}; ${cps.checkpoints.length} checkpoint(s) checked\n`;
    for (const b of cps?.bad ?? []) io.stderr.write(`audit checkpoint file ${o.checkpoints} line ${b.line}: ${b.reason}\n`);
    if (!check.ok) {
      io.stderr.write(describe(check));
      io.stderr.write(lastLine);
      return 1;
    }
    io.stdout.write(`audit log intact: ${check.records} row(s), head hash ${check.headHash} (row ${check.headSeq})\n${lastLine}`);
    return (cps?.bad.length ?? 0) > 0 ? 1 : 0;
  } catch (err) {
    io.stderr.write(`faultline audit: cannot read ${store.location}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
