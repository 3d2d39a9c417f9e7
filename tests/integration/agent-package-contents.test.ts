/**
 * What `npm run package:agent` writes: a tarball and a .deb with the same program, only the
 * run-time modules the agent bundle leaves external, nothing of the collector, the dashboard or
 * the dev toolchain, Debian metadata that installs it as a service with its config as a conffile,
 * and checksums that verify.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { PROJECT_ROOT } from '../../agent/package/build.js';
import { AGENT_VERSION } from '../../agent/version.js';
import { buildPackages, tarballEntries, unpackTarball } from '../helpers/agent-package.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The packages (by folder under node_modules) the agent loads at run time, with their dependencies. */
const EXPECTED_MODULES = [
  '@serialport/binding-mock', '@serialport/bindings-cpp', '@serialport/bindings-interface', '@serialport/parser-byte-length',
  '@serialport/parser-cctalk', '@serialport/parser-delimiter', '@serialport/parser-inter-byte-timeout', '@serialport/parser-packet-length',
  '@serialport/parser-readline', '@serialport/parser-ready', '@serialport/parser-regex', '@serialport/parser-slip-encoder',
  '@serialport/parser-spacepacket', '@serialport/stream', 'better-sqlite3', 'bindings', 'debug', 'file-uri-to-path', 'modbus-serial', 'ms',
  'node-gyp-build', 'serialport',
];

/** Names that must not appear anywhere in the package: the collector, the dashboard, the dev toolchain. */
const FORBIDDEN = /(^|\/)(collector|web|dashboard|tests?|typescript|esbuild|@esbuild|tap|@tapjs|vite|playwright-core|preact|uplot|protobufjs-cli|fastify|@fastify|aedes|prebuild-install|node-addon-api|systeminformation)(\/|$)/;


// Builds a package first (esbuild, tar, dpkg-deb and a smoke run): seconds on a quiet machine, a minute or more on a busy one.
t.setTimeout(240_000);

t.test('the tarball holds the program, its run-time modules and nothing else', async (t) => {
  // Built by the command `npm run package:agent` runs, which prints what it wrote and its sizes.
  const out = tempDir('faultline-pkg-cli-');
  t.teardown(out.remove);
  const printed = execFileSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'agent', 'package', 'cli.js'), '--revision', '1', '--out', out.path], { encoding: 'utf8' });
  const version = `${AGENT_VERSION}-1`;
  const tarball = join(out.path, `faultline-agent-${version}-linux-${process.arch}.tar.gz`);
  const deb = readdirSync(out.path).find((f) => f.endsWith('.deb'))!;
  t.same(readdirSync(out.path).sort(), ['SHA256SUMS', deb, `faultline-agent-${version}-linux-${process.arch}.tar.gz`].sort(), 'a tarball named with version, platform and architecture, a .deb, SHA256SUMS');
  const mib = (file: string): string => `${(statSync(file).size / 1048576).toFixed(2)} MiB`;
  t.match(printed, `${tarball}  ${mib(tarball)}`, 'the tarball\'s size is printed');
  t.match(printed, `${join(out.path, deb)}  ${mib(join(out.path, deb))}`, 'the .deb\'s size is printed');
  t.match(printed, /unpacked: \d+\.\d\d MiB in \d+ files: agent bundles \d+\.\d\d MiB, node_modules \d+\.\d\d MiB \(better-sqlite3 [\d.]+, modbus-serial [\d.]+, serialport [\d.]+ and \d+ of their dependencies\)/, 'and what it unpacks to');
  const bad = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'agent', 'package', 'cli.js'), '--revision', 'rc 1', '--out', out.path], { encoding: 'utf8' });
  t.equal(bad.status, 1, 'a bad revision is refused');
  t.match(bad.stderr, /package revision "rc 1" is not valid \(FL_ERR_PACKAGE_VERSION\)\. Fix: use a number/);
  const pkg = { tarball, checksums: join(out.path, 'SHA256SUMS') };

  const entries = tarballEntries(pkg.tarball);
  t.ok(entries.every((e) => e.startsWith('faultline-agent/')), 'everything sits in one faultline-agent/ folder');
  const files = entries.filter((e) => !e.endsWith('/')).map((e) => e.slice('faultline-agent/'.length));
  const outside = files.filter((f) => !f.startsWith('node_modules/')).sort();
  t.same(outside, [
    'README.md', 'bin/faultline-agent', 'lib/faultline-agent-config.cjs', 'lib/faultline-agent.mjs', 'lib/main.mjs', 'package.json',
    'share/agent.yaml', 'share/faultline-agent.service', 'share/install.sh',
  ], 'the program: command, launcher, the two agent bundles, config, unit, installer, README');

  const modules = [...new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => {
    const parts = f.split('/');
    const i = parts.lastIndexOf('node_modules');
    return parts[i + 1]!.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1]!;
  }))].sort();
  t.same(modules, EXPECTED_MODULES, 'node_modules: better-sqlite3, modbus-serial, serialport and their run-time dependencies only');
  t.same(files.filter((f) => FORBIDDEN.test(f)), [], 'nothing of the collector, the dashboard or the dev toolchain');
  t.same(files.filter((f) => /\.(ts|map|cc|cpp|h|gyp|o|a)$/.test(f) && !f.endsWith('.d.ts')), [], 'no sources of native addons, source maps or objects');
  t.same(files.filter((f) => f.endsWith('.d.ts')), [], 'no type declarations');
  t.same(files.filter((f) => f.endsWith('.node')).map((f) => f.replace(/^.*node_modules\//, '')).sort(), [
    `@serialport/bindings-cpp/prebuilds/linux-${process.arch}/@serialport+bindings-cpp.glibc.node`,
    `@serialport/bindings-cpp/prebuilds/linux-${process.arch}/@serialport+bindings-cpp.musl.node`,
    'better-sqlite3/build/Release/better_sqlite3.node',
  ], 'native addons: the outbox\'s, and serialport\'s prebuilt ones for this architecture only');

  const dir = tempDir('faultline-pkg-contents-');
  t.teardown(dir.remove);
  const app = unpackTarball(pkg.tarball, dir.path);
  const bundle = readFileSync(join(app, 'lib', 'faultline-agent.mjs'), 'utf8');
  for (const marker of ['FST_ERR_', 'collector stopped', 'collectorCommand', 'startCollector']) t.notOk(bundle.includes(marker), `the agent bundle has no "${marker}" (fastify, the collector)`);
  const info = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
  t.match(info, { name: 'faultline-agent', version, agentVersion: AGENT_VERSION, platform: 'linux', arch: process.arch, nodeAbi: process.versions.modules, nodeMajor: Number(process.versions.node.split('.')[0]) },
    'package.json records what the native modules were built for');

  const sums = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dirname(pkg.checksums), encoding: 'utf8' });
  t.match(sums, /\.tar\.gz: OK\n.*\.deb: OK/, 'SHA256SUMS verifies both files');
  const unpacked = Number(execFileSync('du', ['-sb', app], { encoding: 'utf8' }).split('\t')[0]);
  t.ok(unpacked < 8 * 1024 * 1024, `unpacked program under 8 MiB (${(unpacked / 1048576).toFixed(2)} MiB on disk)`);
});

t.test('the .deb installs the same program as a service, with its config as a conffile', async (t) => {
  const [pkg] = await buildPackages(t, ['3']);
  const deb = pkg!.deb!;
  const field = (name: string): string => execFileSync('dpkg-deb', ['--field', deb, name], { encoding: 'utf8' }).trim();
  t.equal(field('Package'), 'faultline-agent');
  t.equal(field('Version'), `${AGENT_VERSION}-3`);
  t.equal(field('Architecture'), ({ x64: 'amd64', arm64: 'arm64', arm: 'armhf' } as Record<string, string>)[process.arch] ?? process.arch);
  const major = Number(process.versions.node.split('.')[0]);
  t.equal(field('Depends'), `nodejs (>= ${major}), nodejs (<< ${major + 1}), adduser`, 'depends on the Node.js major version its native modules need');

  const dir = tempDir('faultline-pkg-deb-');
  t.teardown(dir.remove);
  execFileSync('dpkg-deb', ['--control', deb, join(dir.path, 'DEBIAN')]);
  t.equal(readFileSync(join(dir.path, 'DEBIAN', 'conffiles'), 'utf8'), '/etc/faultline/agent.yaml\n', 'the config is a conffile: an upgrade never overwrites an edited one');
  for (const script of ['postinst', 'prerm', 'postrm']) {
    execFileSync('sh', ['-n', join(dir.path, 'DEBIAN', script)]);
    t.pass(`${script} is valid sh`);
  }
  const postinst = readFileSync(join(dir.path, 'DEBIAN', 'postinst'), 'utf8');
  t.match(postinst, /adduser --system .*faultline-agent/s, 'postinst creates the faultline-agent system user');
  t.match(postinst, /adduser --quiet faultline-agent dialout/, 'in the dialout group');
  t.match(postinst, /install -d -o faultline-agent -g faultline-agent -m 0750 \/var\/lib\/faultline-agent/, 'and its state directory');
  t.match(readFileSync(join(dir.path, 'DEBIAN', 'prerm'), 'utf8'), /upgrade.*systemctl stop faultline-agent/s, 'prerm stops the agent before an upgrade replaces it');

  const contents = execFileSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const paths = contents.split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('./') + 1).replace(/ -> .*$/, ''));
  t.ok(paths.includes('/etc/faultline/agent.yaml'), 'the default config in /etc/faultline');
  t.ok(paths.includes('/lib/systemd/system/faultline-agent.service'), 'the unit in systemd\'s folder');
  t.ok(paths.includes('/usr/bin/faultline-agent'), 'the command on PATH');
  const program = paths.filter((p) => p.startsWith('/usr/lib/faultline-agent/') && !p.endsWith('/')).map((p) => p.slice('/usr/lib/faultline-agent/'.length)).sort();
  const tarred = tarballEntries(pkg!.tarball).filter((e) => !e.endsWith('/')).map((e) => e.slice('faultline-agent/'.length)).sort();
  t.same(program, tarred, '/usr/lib/faultline-agent holds exactly what the tarball holds');

  // The .deb's payload runs: its command, from where dpkg would put it, checks the default config.
  const root = join(dir.path, 'root');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  const env = { PATH: '/usr/bin:/bin', FAULTLINE_NODE: process.execPath };
  t.match(execFileSync(join(root, 'usr', 'bin', 'faultline-agent'), ['--version'], { encoding: 'utf8', env }), `faultline-agent ${AGENT_VERSION}-3 `);
  t.match(execFileSync(join(root, 'usr', 'bin', 'faultline-agent'), ['check', '--config', join(root, 'etc', 'faultline', 'agent.yaml')], { encoding: 'utf8', env }), /adapter linux-gateway[\s\S]*config OK/, 'the default config passes the check');
});
