/**
 * #15.2: cutting the end of the audit trail must not go unnoticed. The collector appends signed
 * checkpoints of the chain's head to a file outside the database; `faultline audit verify` checks
 * the chain reaches every checkpoint and fails when rows after one are missing, when a
 * checkpoint's hash does not match the row, or when a checkpoint's signature is forged.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { auditCommand } from '../../collector/audit/cli.js';
import { CHECKPOINT_FILE, CHECKPOINT_KEY_FILE } from '../../collector/audit/checkpoint-file.js';
import { AuditCheckpointer } from '../../collector/audit/checkpointer.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../protocol/logger.js';
import { birth, deskHarness, fault, MIN, T0 } from '../helpers/desk-harness.js';
import { waitFor } from '../helpers/wait.js';

async function withActivity(t: Test): Promise<string> {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  await h.desk.ticketAction({ number: 'TS-20240305-0001' }, { type: 'ack', note: 'on it' }, { kind: 'user', id: 'lena' });
  await h.desk.scheduler.runDue(T0 + 4 * 60 * MIN);
  await h.close();
  return h.dataDir;
}

/** Opens the store on the data dir and writes one checkpoint of its head, as the running collector does. */
async function checkpoint(dataDir: string): Promise<number> {
  const store = await openSqliteStore({ dataDir, log: silentLogger(), nowMs: T0 });
  try {
    const cp = new AuditCheckpointer({ audit: store.audit, dataDir, now: () => T0 + 5 * MIN, log: silentLogger() });
    const written = await cp.checkpoint();
    if (!written) throw new Error('no checkpoint written');
    return written.seq;
  } finally {
    await store.close();
  }
}

async function verify(dataDir: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(['verify', '--data-dir', dataDir, ...extra], { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

function sql(dataDir: string, statement: string): void {
  const db = new Database(join(dataDir, DB_FILE));
  db.exec(statement);
  db.close();
}

t.test('an intact log reports its head and the last checkpoint', async (t) => {
  const dataDir = await withActivity(t);
  const head = await checkpoint(dataDir);
  const r = await verify(dataDir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, new RegExp(`audit log intact: ${head} row\\(s\\), head hash [0-9a-f]{64} \\(row ${head}\\)`));
  t.match(r.out, new RegExp(`last checkpoint: row ${head} \\(hash [0-9a-f]{64}\\) at 2024-03-05T10:05:00.000Z; 1 checkpoint\\(s\\) checked`));
  t.equal(statSync(join(dataDir, CHECKPOINT_KEY_FILE)).mode & 0o777, 0o600, 'the key file is private');
});

t.test('deleting the newest rows fails verify against the checkpoint', async (t) => {
  const dataDir = await withActivity(t);
  const head = await checkpoint(dataDir);
  sql(dataDir, `DELETE FROM audit_log WHERE seq > ${head - 2}`);
  const r = await verify(dataDir);
  t.equal(r.code, 1, 'the cut is noticed');
  t.match(r.err, new RegExp(`rows ${head - 1}-${head} are missing: the checkpoint of 2024-03-05T10:05:00.000Z saw the chain up to row ${head}, the log now ends at row ${head - 2}`));
  t.match(r.err, new RegExp(`last checkpoint: row ${head} `));
});

t.test('a cut tail written again (same row numbers, other content) conflicts with the checkpoint hash', async (t) => {
  const dataDir = await withActivity(t);
  const head = await checkpoint(dataDir);
  sql(dataDir, `DELETE FROM audit_log WHERE seq > ${head - 3}`);
  const store = await openSqliteStore({ dataDir, log: silentLogger(), nowMs: T0 });
  const rec = (n: number) => ({ atMs: T0 + n, actor: { kind: 'user' as const, id: 'mallory' }, subject: { kind: 'ticket' as const, id: 'TS-1' }, action: 'comment', from: null, to: null, reason: 'nothing happened', details: {} });
  await store.audit.append([rec(1), rec(2), rec(3), rec(4)]);
  await store.close();
  const r = await verify(dataDir);
  t.equal(r.code, 1);
  t.match(r.err, new RegExp(`broken at row ${head} .*the checkpoint of 2024-03-05T10:05:00.000Z says row ${head} had hash`));
});

t.test('a forged checkpoint line is refused', async (t) => {
  const dataDir = await withActivity(t);
  const head = await checkpoint(dataDir);
  appendFileSync(join(dataDir, CHECKPOINT_FILE), `${JSON.stringify({ seq: head - 3, hash: 'a'.repeat(64), atMs: T0, mac: 'b'.repeat(64) })}\n`);
  appendFileSync(join(dataDir, CHECKPOINT_FILE), 'not json\n');
  const r = await verify(dataDir);
  t.equal(r.code, 1);
  t.match(r.err, /line 2: the signature of the checkpoint at row \d+ does not match/);
  t.match(r.err, /line 3: not JSON/);
});

t.test('a checkpoint file without its key is an error, not a pass', async (t) => {
  const dataDir = await withActivity(t);
  await checkpoint(dataDir);
  const r = await verify(dataDir, '--checkpoint-key', join(dataDir, 'elsewhere.key'));
  t.equal(r.code, 1);
  t.match(r.err, /exists but its key .* does not/);
});

t.test('without checkpoints verify says the end is not anchored', async (t) => {
  const dataDir = await withActivity(t);
  const r = await verify(dataDir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /no checkpoint file .*: the end of the log is not anchored/);
});

t.test('the checkpointer writes when the head moves, not otherwise, and once more on stop', async (t) => {
  const dataDir = await withActivity(t);
  const store = await openSqliteStore({ dataDir, log: silentLogger(), nowMs: T0 });
  t.teardown(() => store.close());
  const cp = new AuditCheckpointer({ audit: store.audit, dataDir, everyMs: 20, now: Date.now, log: silentLogger() });
  cp.start();
  const file = join(dataDir, CHECKPOINT_FILE);
  const lines = (): string[] => { try { return readFileSync(file, 'utf8').trim().split('\n'); } catch { return []; } };
  await waitFor('a first checkpoint', () => (lines().length === 1 ? true : undefined), 5000, 10);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(lines().length, 1, 'an unchanged head is not written again');
  await store.audit.append([{ atMs: T0, actor: { kind: 'user', id: 'ann' }, subject: { kind: 'ticket', id: 'TS-1' }, action: 'comment', from: null, to: null, reason: 'x', details: {} }]);
  await cp.stop();
  const all = lines().map((l) => JSON.parse(l) as { seq: number });
  t.ok(all.length >= 2, 'the moved head was checkpointed');
  t.equal(all.at(-1)?.seq, (await store.audit.head())?.seq, 'the last checkpoint is the head at stop');
});
