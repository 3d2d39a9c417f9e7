/**
 * better-sqlite3 12 on Node 24 aborts (`Assertion failed: (env) != nullptr` in Statement::~Statement)
 * when the GC frees a statement or database that became unreachable; runtime/sqlite-guard.ts keeps
 * them alive. The child processes run on this test's own Node: on Node 24 the unguarded one shows
 * the abort (the failure the guard is for), the guarded one must live; on Node 20 both live.
 * The in-process tests force the guard on any Node and check that better-sqlite3 still behaves.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { keepSqliteWrappersAlive, keptWrappers, nodeFreesWrappersUnsafely } from '../../runtime/sqlite-native-lifetime.js';
import { tempDir } from '../helpers/temp-dir.js';

const driver = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
const guard = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../runtime/sqlite-guard.js')).href;

/** Makes and drops every kind of wrapper, then allocates until full GCs have run (bounded), and exits 0. */
function churn(withGuard: boolean, dir: string): string {
  return `
${withGuard ? `import ${JSON.stringify(guard)};` : ''}
import { createRequire } from 'node:module';
const Database = createRequire(import.meta.url)(${JSON.stringify(fileURLToPath(driver))});
for (let round = 0; round < 5; round++) {
  const db = new Database(${JSON.stringify(join(dir, 'churn.db'))});
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS t (a INTEGER)');
  const add = db.transaction((n) => { for (let i = 0; i < n; i++) db.prepare('INSERT INTO t VALUES (?)').run(i); });
  add(50);
  for (let i = 0; i < 50; i++) db.prepare('SELECT count(*) AS n FROM t WHERE a > ' + i).get();
  for (const row of db.prepare('SELECT a FROM t LIMIT 3').iterate()) void row;
  await db.backup(${JSON.stringify(join(dir, 'copy-'))} + round + '.db');
  db.close();
}
let keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 1e5) keep = []; }
console.log('churned');
`;
}

function runChurn(withGuard: boolean): { status: number | null; signal: NodeJS.Signals | null; out: string } {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'churn.mjs');
    writeFileSync(file, churn(withGuard, dir.path));
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
  } finally {
    dir.remove();
  }
}

t.test('the guard is on exactly where Node frees wrappers unsafely', async (t) => {
  t.equal(nodeFreesWrappersUnsafely('20.19.0'), false);
  t.equal(nodeFreesWrappersUnsafely('24.0.0'), true);
  t.equal(nodeFreesWrappersUnsafely('24.21.0'), true);
});

t.test('a process that makes and drops statements, databases, iterators and backups lives through full GCs', async (t) => {
  const r = runChurn(true);
  t.equal(r.signal, null, `no signal (${process.version})\n${r.out.slice(0, 2000)}`);
  t.equal(r.status, 0, 'exit 0');
  t.match(r.out, /churned/);
});

t.test('without the guard, this Node shows (24) or lacks (20) the abort the guard is for', async (t) => {
  const r = runChurn(false);
  if (nodeFreesWrappersUnsafely()) {
    t.equal(r.signal, 'SIGABRT', `${process.version} aborts: if it no longer does, better-sqlite3 or Node fixed it and the guard can go`);
    t.match(r.out, /Assertion failed: \(env\) != nullptr/);
  } else {
    t.equal(r.signal, null);
    t.equal(r.status, 0, r.out.slice(0, 2000));
  }
});

t.test('guarded, better-sqlite3 still behaves: interned statements, pragmas, busy statements, closed databases', async (t) => {
  t.equal(keepSqliteWrappersAlive(Database, true), true);
  const db = new Database(':memory:');
  t.teardown(() => { if (db.open) db.close(); });
  db.exec('CREATE TABLE t (a INTEGER)');
  const before = keptWrappers().statements;
  for (let i = 0; i < 1000; i++) db.prepare('INSERT INTO t VALUES (?)').run(i);
  t.equal(keptWrappers().statements - before, 1, 'a thousand prepares of one text keep one statement');
  t.equal(db.prepare('INSERT INTO t VALUES (?)'), db.prepare('INSERT INTO t VALUES (?)'), 'the same text gives the same statement');

  db.pragma('user_version = 7');
  t.equal(db.pragma('user_version', { simple: true }), 7, 'a simple pragma plucks');
  t.same(db.pragma('user_version'), [{ user_version: 7 }], 'the same pragma after it reads whole rows again');
  t.equal(db.pragma('user_version', { simple: true }), 7);

  const seen: number[] = [];
  for (const row of db.prepare('SELECT a FROM t WHERE a < 3 ORDER BY a').iterate() as IterableIterator<{ a: number }>) {
    // the statement iterating is busy: the same text prepared inside the loop is another statement
    const again = db.prepare('SELECT a FROM t WHERE a < 3 ORDER BY a');
    t.equal(again.all().length, 3);
    seen.push(row.a);
  }
  t.same(seen, [0, 1, 2], 'the outer iteration was not disturbed');

  const tx = db.transaction((n: number) => db.prepare('INSERT INTO t VALUES (?)').run(n));
  tx(5000);
  t.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1001, 'transactions commit');
  t.throws(() => db.transaction(() => { db.prepare('INSERT INTO t VALUES (?)').run(1); throw new Error('undo'); })(), /undo/);
  t.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1001, 'and roll back');

  t.throws(() => db.prepare('SELEC nonsense'), /syntax error/, 'bad SQL still throws');
  const kept = db.prepare('SELECT 2 AS b');
  db.close();
  t.throws(() => db.prepare('SELECT 2 AS b'), /not open/, 'a closed database refuses to prepare, interned text or not');
  t.throws(() => kept.get(), /not open/, 'and its statements refuse to run');
});
