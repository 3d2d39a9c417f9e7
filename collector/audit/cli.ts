/**
 * `faultline audit verify [--data-dir DIR]`: recomputes the audit log's hash chain from the first
 * row and exits 1 naming the first row that does not fit (0 when the chain is intact, 2 on usage
 * errors). Opens the database read-only, so it can run beside a live collector.
 */
import type { ChainCheck } from '../store/port.js';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../protocol/logger.js';
import { openStore } from '../store/index.js';
import type { StorePort } from '../store/port.js';

export const AUDIT_USAGE = `Usage: faultline audit verify [options]

Checks the collector's tamper-evident audit log: every row must carry the SHA-256 of the row
before it and of its own content. Exits 0 when the chain is intact, 1 naming the first broken row.

Options:
  --data-dir DIR   where faultline.db lives (default ./data)
  -h, --help       show this help
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

export async function auditCommand(argv: string[], io: AuditIo = process): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.stderr.write(`faultline audit: ${(err as Error).message}\n\n${AUDIT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(AUDIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'verify') {
    io.stderr.write(`faultline audit: expected the subcommand "verify"\n\n${AUDIT_USAGE}`);
    return 2;
  }
  const dataDir = values['data-dir'] ?? './data';
  let store: StorePort;
  try {
    store = await openStore({ dataDir, nowMs: Date.now(), log: silentLogger(), readOnly: true });
  } catch (err) {
    io.stderr.write(`faultline audit: no collector store in ${dataDir} (${(err as Error).message}); pass the collector's --data-dir\n`);
    return 2;
  }
  try {
    const check = await store.audit.verify();
    if (!check.ok) {
      io.stderr.write(describe(check));
      return 1;
    }
    io.stdout.write(`audit log intact: ${check.records} row(s), head hash ${check.headHash}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`faultline audit: cannot read ${store.location}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
