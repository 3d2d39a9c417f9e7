/** How `faultline agent` starts: lean V8 settings unless the config follows log files or FAULTLINE_AGENT_LEAN=0, the bundle only when it is fresh, the config readers forgotten after use. */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { AGENT_BUNDLE, bundleIsFresh, DEFAULT_V8_FLAGS, LEAN_V8_FLAGS, leanV8, loadConfigBundle } from '../../agent/launch.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('lean V8 settings unless the config follows log files; FAULTLINE_AGENT_LEAN forces either', async (t) => {
  const polling = { devices: [{ logs: [] }, { logs: [] }] } as unknown as Parameters<typeof leanV8>[0];
  const tailing = { devices: [{ logs: [] }, { logs: [{ path: '/var/log/syslog' }] }] } as unknown as Parameters<typeof leanV8>[0];
  t.equal(leanV8(polling, {}), true, 'registers only: lean');
  t.equal(leanV8(tailing, {}), false, 'a followed log file: V8 defaults (parsing speed)');
  t.equal(leanV8(tailing, { FAULTLINE_AGENT_LEAN: '1' }), true);
  t.equal(leanV8(polling, { FAULTLINE_AGENT_LEAN: '0' }), false);
  t.ok(LEAN_V8_FLAGS.includes('--no-opt') && LEAN_V8_FLAGS.includes('--semi-space-growth-factor=1'));
});

/** The V8 option a flag sets: '--no-opt' and '--opt' -> 'opt', '--bytecode-old-age=1' -> 'bytecode-old-age'. */
const optionOf = (flag: string): string => flag.replace(/^--(no-)?/, '').split('=')[0]!;

t.test('every lean V8 setting is undone by DEFAULT_V8_FLAGS, which are what this node reports as its defaults', async (t) => {
  t.same(LEAN_V8_FLAGS.map(optionOf), DEFAULT_V8_FLAGS.map(optionOf), 'one default per lean setting, in the same order');
  const help = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  for (const flag of DEFAULT_V8_FLAGS) {
    const option = optionOf(flag);
    const block = help.split('\n  --').find((b) => b.startsWith(`${option} (`));
    t.ok(block, `node --v8-options lists ${option}`);
    t.match(block ?? '', new RegExp(`default: ${flag.replace(/[-=]/g, (c) => `\\${c}`)}\\s*$`), `${flag} is V8's default`);
  }
});

t.test('the bundle is used only while the files it was built from are unchanged', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  // The same layout as the real one: <root>/dist/agent-bundle/, inputs relative to <root>.
  const out = join(dir.path, 'dist', 'agent-bundle');
  mkdirSync(join(dir.path, 'dist', 'agent'), { recursive: true });
  mkdirSync(join(dir.path, 'node_modules', 'lib'), { recursive: true });
  mkdirSync(out, { recursive: true });
  const bundle = pathToFileURL(join(out, 'faultline-agent.mjs'));
  const inputs = pathToFileURL(join(out, 'inputs.json'));
  t.equal(bundleIsFresh(bundle, inputs), false, 'no bundle');
  const cli = join(dir.path, 'dist', 'agent', 'cli.js');
  const pkg = join(dir.path, 'node_modules', 'lib', 'index.js');
  writeFileSync(cli, 'export const a = 1;');
  writeFileSync(pkg, 'module.exports = 1;');
  writeFileSync(join(out, 'faultline-agent.mjs'), '');
  writeFileSync(join(out, 'faultline-agent-config.cjs'), '');
  const pkgStat = statSync(pkg);
  writeFileSync(join(out, 'inputs.json'), JSON.stringify({
    'dist/agent/cli.js': { sha256: createHash('sha256').update('export const a = 1;').digest('hex') },
    'node_modules/lib/index.js': { size: pkgStat.size, mtimeMs: pkgStat.mtimeMs },
  }));
  t.equal(bundleIsFresh(bundle, inputs), true, 'built from these very files');
  const later = Date.now() / 1000 + 5;
  utimesSync(cli, later, later);
  t.equal(bundleIsFresh(bundle, inputs), true, 'compiled again to the same content (tsc alone, nothing changed)');
  writeFileSync(cli, 'export const a = 2;');
  t.equal(bundleIsFresh(bundle, inputs), false, 'our code changed since');
  writeFileSync(cli, 'export const a = 1;');
  utimesSync(pkg, later, later);
  t.equal(bundleIsFresh(bundle, inputs), false, 'a package reinstalled since');
  rmSync(join(out, 'faultline-agent-config.cjs'));
  t.equal(bundleIsFresh(bundle, inputs), false, 'the config bundle is missing');
  t.match(AGENT_BUNDLE.pathname, /dist\/agent-bundle\/faultline-agent\.mjs$/);
});

t.test('the config bundle is required once and left to the garbage collector', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'faultline-agent-config.cjs');
  writeFileSync(file, 'module.exports = { loadAgentSetup: (file) => ({ problem: `read ${file}` }) };');
  const loader = await loadConfigBundle(pathToFileURL(file));
  t.same(loader.loadAgentSetup('x.yaml'), { problem: 'read x.yaml' });
  t.notOk(file in createRequire(import.meta.url).cache, 'not kept in the module cache');
});
