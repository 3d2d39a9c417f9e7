/** The agent package's pure parts: which files of a module are kept, revisions, architectures, the launcher's runtime check. */
import { join } from 'node:path';
import t from 'tap';
import { checkRevision, controlFile, debianArch } from '../../agent/package/debian.js';
import { runtimeMismatch, type PackageInfo } from '../../agent/package/package-info.js';
import { keepFile, runtimeModules } from '../../agent/package/runtime-modules.js';
import { PROJECT_ROOT } from '../../agent/package/build.js';
import { FaultlineError } from '../../protocol/errors.js';

t.test('keepFile: what a running agent may open, for linux-x64', async (t) => {
  const sqlite = join(PROJECT_ROOT, 'node_modules', 'better-sqlite3');
  const cpp = join(PROJECT_ROOT, 'node_modules', '@serialport', 'bindings-cpp');
  const debug = join(PROJECT_ROOT, 'node_modules', 'debug');
  const cases: Array<[string, string, boolean]> = [
    [sqlite, 'lib/database.js', true],
    [sqlite, 'package.json', true],
    [sqlite, 'LICENSE', true],
    [sqlite, 'build/Release/better_sqlite3.node', true],
    [sqlite, 'build/Release/test_extension.node', false],
    [sqlite, 'build/Release/obj.target/better_sqlite3/src/better_sqlite3.o', false],
    [sqlite, 'build/Makefile', false],
    [sqlite, 'deps/sqlite3/sqlite3.c', false],
    [sqlite, 'src/better_sqlite3.cpp', false],
    [sqlite, 'binding.gyp', false],
    [sqlite, 'README.md', false],
    [cpp, 'dist/index.js', true],
    [cpp, 'dist/index.d.ts', false],
    [cpp, 'prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node', true],
    [cpp, 'prebuilds/linux-arm64/@serialport+bindings-cpp.glibc.node', false],
    [cpp, 'prebuilds/win32-x64/@serialport+bindings-cpp.node', false],
    [cpp, 'node_modules/debug/package.json', false],
    [debug, 'src/index.js', true],
  ];
  for (const [pkg, rel, keep] of cases) t.equal(keepFile(pkg, join(pkg, rel), 'linux', 'x64'), keep, `${pkg.split('node_modules/')[1]}/${rel}: ${keep ? 'kept' : 'left out'}`);
});

t.test('runtimeModules: the bundle\'s externals and their dependencies, without install-time ones', async (t) => {
  const mods = runtimeModules(PROJECT_ROOT);
  const names = new Set(mods.map((m) => m.name));
  for (const n of ['better-sqlite3', 'bindings', 'file-uri-to-path', 'modbus-serial', 'serialport', '@serialport/bindings-cpp', 'node-gyp-build']) t.ok(names.has(n), `${n} included`);
  for (const n of ['prebuild-install', 'node-addon-api', 'systeminformation', 'mqtt', 'pino']) t.notOk(names.has(n), `${n} left out`);
  t.throws(() => runtimeModules(PROJECT_ROOT, ['no-such-module-here']), { code: 'FL_ERR_PACKAGE_MODULE_MISSING', message: /no-such-module-here \(required by the agent bundle\)/ });
});

t.test('revisions and architectures', async (t) => {
  for (const ok of ['1', '12', '1~rc1', '2+b1']) t.equal(checkRevision(ok), ok);
  for (const bad of ['', 'rc1', '1 2', '1-2', '1/2']) t.throws(() => checkRevision(bad), { code: 'FL_ERR_PACKAGE_VERSION' }, `"${bad}" refused`);
  t.equal(debianArch('x64'), 'amd64');
  t.equal(debianArch('arm64'), 'arm64');
  t.equal(debianArch('arm'), 'armhf');
  t.throws(() => debianArch('mips'), { code: 'FL_ERR_PACKAGE_ARCH' });
  t.match(controlFile({ version: '0.2.0-1', arch: 'arm64', nodeMajor: 22, installedKiB: 4000 }), /^Package: faultline-agent\nVersion: 0\.2\.0-1\nArchitecture: arm64\n[\s\S]*Depends: nodejs \(>= 22\), nodejs \(<< 23\)/);
});

t.test('the launcher refuses a Node.js or machine the native modules were not built for, naming both', async (t) => {
  const info: PackageInfo = { name: 'faultline-agent', version: '0.2.0-1', agentVersion: '0.2.0', platform: 'linux', arch: 'arm64', nodeAbi: '115', nodeMajor: 20 };
  t.equal(runtimeMismatch(info, { platform: 'linux', arch: 'arm64', abi: '115', version: '20.19.0' }), undefined, 'the same: no problem');
  const node = runtimeMismatch(info, { platform: 'linux', arch: 'arm64', abi: '127', version: '22.12.0' });
  t.ok(node instanceof FaultlineError);
  t.equal(node?.code, 'FL_ERR_PACKAGE_NODE');
  t.match(node?.describe(), /built for Node\.js 20 \(ABI 115\), but it is run by Node\.js 22\.12\.0 \(ABI 127\).*Fix: run it with Node\.js 20/);
  const arch = runtimeMismatch(info, { platform: 'linux', arch: 'x64', abi: '115', version: '20.19.0' });
  t.equal(arch?.code, 'FL_ERR_PACKAGE_ARCH');
  t.match(arch?.message, /built for linux-arm64, but this machine is linux-x64/);
});
