/**
 * What the outbox's SQLite binding costs in memory, on the Node.js that runs this file: a child
 * process per binding opens a WAL file with synchronous = FULL (as agent/outbox/ does) and makes
 * 2,000 appends of 300 bytes, peeking and deleting every 50 (as the drainer does); it prints its
 * RSS before and after. Bindings: better-sqlite3 (what the agent ships; only when it was built for
 * this Node.js) and node:sqlite (Node.js >= 22.5). A bare child is measured beside them. Run it with
 * another node to compare versions: `/path/to/node22 dist/tests/bench/sqlite-binding.bench.js`.
 * Asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Binding = 'none' | 'better-sqlite3' | 'node:sqlite';

async function child(binding: Binding): Promise<void> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const rss = (): number => process.memoryUsage().rss / 1048576;
  await new Promise((r) => setTimeout(r, 200));
  const before = rss();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-sqlite-bench-'));
  interface Stmt { run(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] }
  interface Db { exec(sql: string): unknown; prepare(sql: string): Stmt; close(): unknown }
  let db: Db | undefined;
  if (binding === 'better-sqlite3') {
    const { default: Database } = await import('better-sqlite3');
    db = new Database(join(dir, 'outbox.db')) as unknown as Db;
  } else if (binding === 'node:sqlite') {
    const { DatabaseSync } = (await import('node:sqlite' as string)) as { DatabaseSync: new (file: string) => Db };
    db = new DatabaseSync(join(dir, 'outbox.db'));
  }
  let ms = 0;
  if (db) {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    db.exec('CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, created_ms INTEGER NOT NULL)');
    const append = db.prepare('INSERT INTO outbox (topic, payload, created_ms) VALUES (?, ?, ?)');
    const peek = db.prepare('SELECT seq, payload FROM outbox ORDER BY seq LIMIT 50');
    const remove = db.prepare('DELETE FROM outbox WHERE seq <= ?');
    const payload = Buffer.alloc(300, 7);
    const t0 = performance.now();
    for (let i = 1; i <= 2000; i++) {
      append.run('fl/v1/site/device/event', payload, Date.now());
      if (i % 50 === 0) remove.run((peek.all().at(-1) as { seq: number }).seq);
    }
    ms = performance.now() - t0;
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = rss();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ before, after, ms }));
}

export function runSqliteBindingBench(runs = 3): void {
  process.stdout.write(`outbox SQLite binding on node ${process.version}: RSS of a process before and after 2,000 fsync'd appends (WAL, synchronous = FULL), ${runs} runs\n`);
  for (const binding of ['none', 'better-sqlite3', 'node:sqlite'] as const) {
    const rows: Array<{ before: number; after: number; ms: number }> = [];
    let problem = '';
    for (let i = 0; i < runs && problem === ''; i++) {
      const r = spawnSync(process.execPath, ['--no-warnings', fileURLToPath(import.meta.url), '--child', binding], { encoding: 'utf8' });
      if (r.status === 0) rows.push(JSON.parse(r.stdout) as { before: number; after: number; ms: number });
      else problem = (r.stderr.split('\n').find((l) => /Error|error:/.test(l)) ?? `exit ${r.status}`).trim().slice(0, 160);
    }
    if (problem !== '') { process.stdout.write(`  ${binding.padEnd(15)} not available on this node: ${problem}\n`); continue; }
    const range = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    process.stdout.write(`  ${binding.padEnd(15)} bare ${range(rows.map((r) => r.before))} MiB, added ${range(rows.map((r) => r.after - r.before))} MiB${binding === 'none' ? '' : `, appends took ${range(rows.map((r) => r.ms / 1000))} s`}\n`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as Binding);
else if (import.meta.url === `file://${process.argv[1]}`) runSqliteBindingBench();
