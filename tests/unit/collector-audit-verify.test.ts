/**
 * The audit log is hash chained: `faultline audit verify` recomputes it and names the first row
 * that was changed, inserted or removed behind the collector's back.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { auditCommand } from '../../collector/audit/cli.js';
import { GENESIS_HASH } from '../../collector/audit/audit-chain.js';
import { verifyAuditChain } from '../../collector/store/sqlite/audit-log.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { birth, deskHarness, fault, MIN, T0 } from '../helpers/desk-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

async function withActivity(t: Test): Promise<string> {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  await h.desk.ticketAction({ number: 'TS-20240305-0001' }, { type: 'ack', note: 'on it' }, { kind: 'user', id: 'lena', via: 'token:console' });
  await h.desk.scheduler.runDue(T0 + 4 * 60 * MIN);
  await h.close();
  return h.dataDir;
}

async function verify(dataDir: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(['verify', '--data-dir', dataDir], { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

function tamper(dataDir: string, sql: string): void {
  const db = new Database(join(dataDir, DB_FILE));
  db.exec(sql);
  db.close();
}

t.test('an untouched log verifies; every row links to the one before', async (t) => {
  const dataDir = await withActivity(t);
  const result = await verify(dataDir);
  t.equal(result.code, 0, result.err);
  t.match(result.out, /audit log intact: \d+ row\(s\), head hash [0-9a-f]{64}/);
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq').all() as Array<{ seq: number; prev_hash: string; hash: string }>;
  t.ok(rows.length >= 8, `${rows.length} records for raise, open, route, assign, acknowledge, warnings`);
  t.equal(rows[0]?.prev_hash, GENESIS_HASH);
  t.ok(rows.every((r, i) => i === 0 || r.prev_hash === rows[i - 1]?.hash));
});

t.test('a changed row is found and named', async (t) => {
  const dataDir = await withActivity(t);
  tamper(dataDir, "UPDATE audit_log SET reason = 'nobody acknowledged anything' WHERE seq = 5");
  const result = await verify(dataDir);
  t.equal(result.code, 1);
  t.match(result.err, /audit log broken at row 5 \(.*\): the row does not match its hash \(its content was changed\); 4 row\(s\) before it are intact/);
});

t.test('a re-hashed row still breaks the link to the next one', async (t) => {
  const dataDir = await withActivity(t);
  tamper(dataDir, "UPDATE audit_log SET actor_id = 'mallory', hash = '" + 'f'.repeat(64) + "' WHERE seq = 3");
  const result = await verify(dataDir);
  t.equal(result.code, 1);
  t.match(result.err, /broken at row 3/);
});

t.test('a removed row is found', async (t) => {
  const dataDir = await withActivity(t);
  tamper(dataDir, 'DELETE FROM audit_log WHERE seq = 2');
  const result = await verify(dataDir);
  t.equal(result.code, 1);
  t.match(result.err, /broken at row 3 .*rows 2-2 are missing/);
});

t.test('usage errors exit 2', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  t.equal((await verify(dir.path)).code, 2, 'no database');
  let err = '';
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => { err += s; } } };
  t.equal(await auditCommand(['check'], io), 2);
  t.match(err, /expected the subcommand "verify"/);
  t.equal(await auditCommand(['verify', '--colour'], io), 2);
});

t.test('verifyAuditChain on an empty log', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  db.exec('CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at_ms, actor_kind, actor_id, subject_kind, subject_id, action, from_state, to_state, reason, details, prev_hash, hash)');
  t.same(verifyAuditChain(db), { ok: true, records: 0, headHash: GENESIS_HASH, headSeq: 0 });
});

t.test('the API token an action came through is part of the hashed record', async (t) => {
  const dataDir = await withActivity(t);
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  const row = db.prepare("SELECT seq, actor_id, actor_via FROM audit_log WHERE actor_via IS NOT NULL").get() as { seq: number; actor_id: string; actor_via: string } | undefined;
  db.close();
  t.same(row && [row.actor_id, row.actor_via], ['lena', 'token:console'], 'stored beside the user');
  tamper(dataDir, `UPDATE audit_log SET actor_via = NULL WHERE seq = ${row?.seq ?? 0}`);
  const result = await verify(dataDir);
  t.equal(result.code, 1, 'removing the token name breaks the chain');
  t.match(result.err, new RegExp(`broken at row ${row?.seq ?? 0} `));
});
