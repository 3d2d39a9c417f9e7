/**
 * The floors of the code base, checked over the sources themselves (imports, type-only ones
 * included): entry points in bin/ are imported by nobody; the collector reaches its database only
 * through the store port (better-sqlite3 and the SQLite adapter stay under collector/store/sqlite/);
 * the pure cores import no I/O; and no module imports itself round a circle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE_DIRS = ['agent', 'bin', 'collector', 'firmware-adapters', 'protocol', 'runtime'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'gen' || name === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Module { file: string; specs: string[]; local: string[] }

const modules = new Map<string, Module>();
for (const dir of SOURCE_DIRS) {
  for (const file of sourceFiles(join(ROOT, dir))) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s !== '');
    const local = specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
    modules.set(file, { file: relative(ROOT, file), specs, local: local.map((l) => relative(ROOT, l)) });
  }
}
const all = [...modules.values()];

t.test('the checks see the code base', async (t) => {
  t.ok(all.length > 200, `${all.length} source files`);
  t.ok(all.some((m) => m.file === 'collector/store/port.ts'));
});

t.test('bin/ holds entry points: no module outside it imports from it', async (t) => {
  const offenders = all.filter((m) => !m.file.startsWith('bin/') && m.local.some((l) => l.startsWith('bin/'))).map((m) => m.file);
  t.same(offenders, []);
});

t.test('only the SQLite adapter imports better-sqlite3, and nothing in the collector outside the store reaches into the adapter', async (t) => {
  const driver = all.filter((m) => m.file.startsWith('collector/') && m.specs.includes('better-sqlite3') && !m.file.startsWith('collector/store/sqlite/'));
  t.same(driver.map((m) => m.file), []);
  const intoAdapter = all.filter((m) => m.file.startsWith('collector/') && !m.file.startsWith('collector/store/')
    && m.local.some((l) => l.startsWith('collector/store/sqlite/')));
  t.same(intoAdapter.map((m) => m.file), [], 'the rest of the collector sees only collector/store/port.ts and index.ts');
});

t.test('the pure cores import no I/O', async (t) => {
  const io = /^(node:|fs$|net$|child_process$|mqtt$|aedes$|better-sqlite3$|fastify$|modbus-serial$|systeminformation$|pino$)/;
  for (const core of ['agent/core/', 'collector/core/', 'protocol/', 'firmware-adapters/devices/']) {
    const offenders = all.filter((m) => m.file.startsWith(core) && m.specs.some((s) => io.test(s))).map((m) => m.file);
    t.same(offenders, [], core);
  }
});

t.test('no import circles, type-only imports included', async (t) => {
  const graph = new Map(all.map((m) => [m.file, m.local.filter((l) => modules.has(join(ROOT, l)))]));
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  t.same(circles, []);
});
