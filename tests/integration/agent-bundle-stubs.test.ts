/**
 * The agent bundle (agent/bundle.mjs) leaves out the parts of its libraries the agent never uses
 * (mqtt.js's WebSocket, WeChat, Alipay, SOCKS and eager TLS transports, …) by stubbing the modules
 * that load them. It must do so when node_modules is a symlink too (pnpm installs packages as
 * links; a checkout may share another's node_modules): esbuild resolves modules by their real
 * paths. Before, the stubs were matched by the symlinked path, missed with a warning, and the
 * agent bundle grew from 672 to 801 KB (~6 MiB more RSS when run).
 * Builds into a temp tree whose node_modules and dist/ entries are links to this checkout's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';

t.test('a symlinked node_modules still gets the bundle\'s stubs', async (t) => {
  const repo = process.cwd();
  const dir = tempDir('faultline-bundle-');
  t.teardown(dir.remove);
  mkdirSync(join(dir.path, 'agent'));
  copyFileSync(join(repo, 'agent', 'bundle.mjs'), join(dir.path, 'agent', 'bundle.mjs'));
  symlinkSync(join(repo, 'node_modules'), join(dir.path, 'node_modules'));
  mkdirSync(join(dir.path, 'dist'));
  for (const entry of readdirSync(join(repo, 'dist'))) if (entry !== 'agent-bundle') symlinkSync(join(repo, 'dist', entry), join(dir.path, 'dist', entry));

  const run = spawnSync(process.execPath, [join(dir.path, 'agent', 'bundle.mjs')], { cwd: dir.path, encoding: 'utf8', timeout: 120_000 });
  t.equal(run.status, 0, run.stderr);
  t.notMatch(run.stderr, /not stubbed/, 'every stub applied');
  const bundle = readFileSync(join(dir.path, 'dist', 'agent-bundle', 'faultline-agent.mjs'), 'utf8');
  t.match(bundle, /the faultline agent does not support WebSocket broker URLs/, 'mqtt.js\'s WebSocket transport is the stub');
  t.notMatch(bundle, /socks-proxy|SocksClient/, 'and no SOCKS client is in it');
});
