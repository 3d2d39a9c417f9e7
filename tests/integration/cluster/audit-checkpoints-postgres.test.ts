/**
 * #15.2 on PostgreSQL: the checkpoints of the shared audit chain's head anchor it as they do on
 * SQLite; `faultline audit verify --database URL` reports the head and the last checkpoint, and
 * fails once the newest rows are deleted from the shared database. A real PostgreSQL.
 */
import pg from 'pg';
import t from 'tap';
import { auditCommand } from '../../../collector/audit/cli.js';
import { AuditCheckpointer } from '../../../collector/audit/checkpointer.js';
import type { AuditRecord } from '../../../collector/core/desk/audit-record.js';
import { openStore } from '../../../collector/store/index.js';
import { silentLogger } from '../../../protocol/logger.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const record = (n: number): AuditRecord => ({
  atMs: T0 + n, actor: { kind: 'user', id: 'ann' }, subject: { kind: 'ticket', id: `TS-${n}` }, action: 'comment', from: null, to: null, reason: 'pg', details: { n },
});

async function verify(dataDir: string, database: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(['verify', '--data-dir', dataDir, '--database', database], { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

t.test('a checkpointed PostgreSQL chain: intact, then cut at the end', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  const database = await server.createDatabase('audit');
  const dir = tempDir('faultline-audit-pg-');
  t.teardown(dir.remove);

  const store = await openStore({ dataDir: dir.path, database, log: silentLogger(), nowMs: T0 });
  await store.audit.append([1, 2, 3, 4, 5].map(record));
  const cp = await new AuditCheckpointer({ audit: store.audit, dataDir: dir.path, now: () => T0 + 60_000, log: silentLogger() }).checkpoint();
  await store.close();
  t.equal(cp?.seq, 5, 'the checkpoint anchors row 5');

  const intact = await verify(dir.path, database);
  t.equal(intact.code, 0, intact.err);
  t.match(intact.out, /audit log intact: 5 row\(s\), head hash [0-9a-f]{64} \(row 5\)\nlast checkpoint: row 5 .* at 2024-03-05T10:01:00.000Z/);

  const client = new pg.Client({ connectionString: database });
  await client.connect();
  await client.query('DELETE FROM audit_log WHERE seq > 3');
  await client.end();
  const cut = await verify(dir.path, database);
  t.equal(cut.code, 1, 'the cut is noticed');
  t.match(cut.err, /rows 4-5 are missing: the checkpoint of 2024-03-05T10:01:00.000Z saw the chain up to row 5, the log now ends at row 3/);
});
