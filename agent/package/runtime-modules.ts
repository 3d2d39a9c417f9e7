/**
 * The node_modules an installed agent needs at run time, copied from the build machine's install:
 * the packages the agent bundle leaves external (agent/bundle.mjs) with their production
 * dependencies, minus what only installing or compiling them needs, and minus every file a
 * running program never opens (sources of native addons, type declarations, docs, prebuilt
 * binaries for other platforms). Native addons come as built here: the package is for this
 * machine's platform, architecture and Node.js ABI (see package-info.ts).
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { FaultlineError } from '../../protocol/errors.js';

/**
 * What the bundle requires at run time: better-sqlite3 (the outbox; always), modbus-serial and
 * serialport (Modbus RTU on a serial port). systeminformation is left out: on Linux the agent
 * reads /proc and /sys itself (agent/sources/linux-system-info.ts), and packages are for Linux.
 */
export const RUNTIME_MODULES: readonly string[] = ['better-sqlite3', 'modbus-serial', 'serialport'];

/** Dependencies that only install or compile a native addon; never loaded by a running agent. */
export const INSTALL_ONLY: ReadonlySet<string> = new Set(['prebuild-install', 'node-addon-api', 'node-gyp', 'node-gyp-build-optional-packages']);

export interface RuntimeModule {
  name: string;
  version: string;
  /** The package's folder relative to the project root, e.g. node_modules/@serialport/bindings-cpp/node_modules/debug. */
  path: string;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: the nearest node_modules/<name> from `from` up to `root`. */
function locate(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package `names` load, found as Node would from `root`, each once. */
export function runtimeModules(root: string, names: readonly string[] = RUNTIME_MODULES): RuntimeModule[] {
  const found = new Map<string, RuntimeModule>();
  const visit = (name: string, from: string, requiredBy: string, optional: boolean): void => {
    if (INSTALL_ONLY.has(name)) return;
    const dir = locate(name, from, root);
    if (dir === undefined) {
      if (optional) return;
      throw new FaultlineError('FL_ERR_PACKAGE_MODULE_MISSING', `the agent package needs ${name} (required by ${requiredBy}), but it is not installed under ${root}`, {
        context: { module: name, requiredBy }, hint: 'run npm ci in the project first',
      });
    }
    const path = relative(root, dir);
    if (found.has(path)) return;
    const m = manifest(dir);
    found.set(path, { name: m.name, version: m.version, path });
    for (const dep of Object.keys(m.dependencies ?? {})) visit(dep, dir, m.name, false);
    for (const dep of Object.keys(m.optionalDependencies ?? {})) visit(dep, dir, m.name, true);
  };
  for (const name of names) visit(name, root, 'the agent bundle', false);
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

const NEVER_OPENED = /\.(d\.ts|d\.mts|d\.cts|map|md|markdown|ts|gyp|gypi|cc|cpp|c|h|hpp|o|a|mk|lib|pdb|exp|tsbuildinfo)$|^(Makefile|\.npmignore|\.eslintrc.*|\.prettierrc.*|tsconfig.*\.json|binding\.gyp)$/i;
const NEVER_OPENED_DIRS = new Set(['test', 'tests', '__tests__', 'docs', 'doc', 'example', 'examples', 'benchmark', 'benchmarks', '.github', 'deps', 'obj', 'obj.target', '.deps']);

/** True for the files of package `pkgDir` (absolute) that a running agent may open, for `platform`-`arch`. */
export function keepFile(pkgDir: string, file: string, platform: string, arch: string): boolean {
  const rel = relative(pkgDir, file);
  if (rel === '') return true;
  const parts = rel.split(sep);
  const name = basename(file);
  const native = existsSync(join(pkgDir, 'binding.gyp'));
  // Nested node_modules are packages of their own, copied (and filtered) separately.
  if (parts[0] === 'node_modules') return false;
  if (parts.slice(0, -1).some((p) => NEVER_OPENED_DIRS.has(p)) || NEVER_OPENED_DIRS.has(name)) return false;
  if (native && parts[0] === 'src') return false;
  if (parts[0] === 'build') {
    // A compiled addon: only build/Release/*.node is loaded (not the test extension).
    if (parts.length === 1 || (parts.length === 2 && parts[1] === 'Release')) return true;
    return parts.length === 3 && parts[1] === 'Release' && name.endsWith('.node') && name !== 'test_extension.node';
  }
  if (parts[0] === 'prebuilds') {
    if (parts.length === 1) return true;
    return parts[1] === `${platform}-${arch}`;
  }
  return !NEVER_OPENED.test(name);
}

/** Copies `modules` from `root` into `dest` (the package root), each in the same relative place. */
export function copyRuntimeModules(root: string, modules: readonly RuntimeModule[], dest: string, platform: string, arch: string): void {
  for (const m of modules) {
    const src = join(root, m.path);
    cpSync(src, join(dest, m.path), { recursive: true, dereference: true, filter: (file) => keepFile(src, file, platform, arch) });
  }
}
