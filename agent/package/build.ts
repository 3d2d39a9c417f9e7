/**
 * `npm run package:agent`: the installable agent package, built from the agent bundle that
 * `npm run build` wrote (agent/bundle.mjs). One program tree (see README.md in files/):
 *
 *   faultline-agent/bin/faultline-agent     the command (a sh wrapper that runs lib/main.mjs on node)
 *   faultline-agent/lib/                    the launcher and the two agent bundles (adapters built in)
 *   faultline-agent/node_modules/           only the run-time modules the bundle leaves external
 *   faultline-agent/package.json            version, platform, architecture, Node ABI (package-info.ts)
 *   faultline-agent/share/                  the default agent.yaml, the systemd unit, install.sh
 *
 * shipped as a tarball (faultline-agent-VERSION-linux-ARCH.tar.gz, installed with share/install.sh)
 * and as a Debian package (faultline-agent_VERSION_DEBARCH.deb, built by dpkg-deb), with a
 * SHA256SUMS file. Native modules are this machine's: build on (or for) the target architecture
 * with the Node.js major version it runs. The package is smoke-tested before it is written.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FaultlineError, errorMessage } from '../../protocol/errors.js';
import { bundleIsFresh } from '../launch.js';
import { AGENT_VERSION } from '../version.js';
import { checkRevision, debianArch, layOutDeb } from './debian.js';
import type { PackageInfo } from './package-info.js';
import { copyRuntimeModules, runtimeModules, type RuntimeModule } from './runtime-modules.js';

/** The project checkout this module was compiled in (dist/agent/package/ → ../../..). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AgentPackageOptions {
  /** Where the tarball, the .deb and SHA256SUMS go (created when missing). */
  outDir: string;
  /** The package revision after the agent's version: 0.2.0-<revision>. Default 1. */
  revision?: string;
  /** The project checkout to package (default: this one). */
  root?: string;
  /** false: the tarball only (a machine without dpkg-deb, e.g. Alpine for musl controllers). Default true. */
  deb?: boolean;
}

export interface AgentPackage {
  version: string;
  tarball: string;
  /** Undefined when built with deb: false. */
  deb: string | undefined;
  checksums: string;
  /** Bytes: each artifact, the unpacked program, and its parts. */
  sizes: { tarball: number; deb: number; unpacked: number; bundles: number; nodeModules: number; files: number };
  modules: RuntimeModule[];
}

function bytesUnder(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    bytes += statSync(join(e.parentPath, e.name)).size;
    files++;
  }
  return { bytes, files };
}

function run(tool: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new FaultlineError('FL_ERR_PACKAGE_TOOL', `${tool} is not installed`, {
        context: { tool }, hint: tool === 'dpkg-deb' ? 'apt-get install dpkg' : `install ${tool}`,
      });
    }
    throw new FaultlineError('FL_ERR_PACKAGE_TOOL', `${tool} ${args.join(' ')} failed: ${e.stderr?.trim() || errorMessage(err)}`, { cause: err, context: { tool, args } });
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The program tree in `app`. */
async function layOutProgram(root: string, files: string, app: string, info: PackageInfo, modules: RuntimeModule[]): Promise<void> {
  mkdirSync(join(app, 'bin'), { recursive: true });
  copyFileSync(join(files, 'faultline-agent'), join(app, 'bin', 'faultline-agent'));
  chmodSync(join(app, 'bin', 'faultline-agent'), 0o755);
  mkdirSync(join(app, 'lib'));
  for (const f of ['faultline-agent.mjs', 'faultline-agent-config.cjs']) copyFileSync(join(root, 'dist', 'agent-bundle', f), join(app, 'lib', f));
  await build({
    entryPoints: [join(root, 'dist', 'agent', 'package', 'main.js')], outfile: join(app, 'lib', 'main.mjs'),
    bundle: true, platform: 'node', target: 'node20', format: 'esm', minify: true, legalComments: 'none', logLevel: 'warning',
  });
  copyRuntimeModules(root, modules, app, info.platform, info.arch);
  const dependencies = Object.fromEntries(modules.filter((m) => !m.path.slice('node_modules/'.length).includes('node_modules')).map((m) => [m.name, m.version]));
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ ...info, private: true, type: 'module', description: 'faultline edge agent (installed package)', dependencies }, null, 2)}\n`);
  copyFileSync(join(files, 'README.md'), join(app, 'README.md'));
  mkdirSync(join(app, 'share'));
  for (const f of ['agent.yaml', 'faultline-agent.service', 'install.sh']) copyFileSync(join(files, f), join(app, 'share', f));
  chmodSync(join(app, 'share', 'install.sh'), 0o755);
}

/** Runs the staged program as an engineer would: its version, the default config's check, the outbox's native module. */
function smokeTest(app: string, info: PackageInfo): void {
  const version = run(join(app, 'bin', 'faultline-agent'), ['--version'], { env: { ...process.env, FAULTLINE_NODE: process.execPath } });
  if (!version.includes(info.version)) throw new FaultlineError('FL_ERR_PACKAGE_SMOKE', `the staged package printed "${version.trim()}" for --version, expected ${info.version}`);
  run(join(app, 'bin', 'faultline-agent'), ['check', '--config', join(app, 'share', 'agent.yaml')], { env: { ...process.env, FAULTLINE_NODE: process.execPath } });
  run(process.execPath, ['--input-type=module', '-e', "import D from 'better-sqlite3'; const db = new D(':memory:'); db.exec('create table t (x)'); db.close();"], { cwd: app });
}

export async function buildAgentPackage(o: AgentPackageOptions): Promise<AgentPackage> {
  const root = o.root ?? PROJECT_ROOT;
  const files = join(root, 'agent', 'package', 'files');
  if (!bundleIsFresh()) {
    throw new FaultlineError('FL_ERR_PACKAGE_BUNDLE', 'the agent bundle (dist/agent-bundle/) is missing or older than its sources', { hint: 'run npm run build first' });
  }
  const revision = checkRevision(o.revision ?? '1');
  const version = `${AGENT_VERSION}-${revision}`;
  const debArch = debianArch(process.arch);
  if (process.platform !== 'linux') throw new FaultlineError('FL_ERR_PACKAGE_PLATFORM', `agent packages are built on Linux, this is ${process.platform}`);
  const info: PackageInfo = {
    name: 'faultline-agent', version, agentVersion: AGENT_VERSION, platform: process.platform, arch: process.arch,
    nodeAbi: process.versions.modules, nodeMajor: Number(process.versions.node.split('.')[0]),
  };
  const modules = runtimeModules(root);
  const stage = mkdtempSync(join(tmpdir(), 'faultline-agent-package-'));
  try {
    const app = join(stage, 'tar', 'faultline-agent');
    await layOutProgram(root, files, app, info, modules);
    smokeTest(app, info);

    mkdirSync(o.outDir, { recursive: true });
    const epoch = process.env.SOURCE_DATE_EPOCH ?? String(Math.floor(Date.now() / 1000));
    const base = `faultline-agent-${version}-linux-${process.arch}`;
    const tarball = join(o.outDir, `${base}.tar.gz`);
    const tar = join(stage, `${base}.tar`);
    run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${epoch}`, '-cf', tar, '-C', join(stage, 'tar'), 'faultline-agent']);
    run('gzip', ['-n', '-9', '-f', tar]);
    cpSync(`${tar}.gz`, tarball);

    let deb: string | undefined;
    if (o.deb !== false) {
      const debRoot = join(stage, 'deb');
      layOutDeb(app, files, debRoot, { version, arch: debArch, nodeMajor: info.nodeMajor });
      deb = join(o.outDir, `faultline-agent_${version}_${debArch}.deb`);
      run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', debRoot, deb], { env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
    }

    const checksums = join(o.outDir, 'SHA256SUMS');
    writeFileSync(checksums, [tarball, ...(deb ? [deb] : [])].map((f) => `${sha256(f)}  ${f.slice(o.outDir.length + 1)}`).join('\n') + '\n');

    const unpacked = bytesUnder(app);
    return {
      version, tarball, deb, checksums, modules,
      sizes: {
        tarball: statSync(tarball).size, deb: deb ? statSync(deb).size : 0, unpacked: unpacked.bytes, files: unpacked.files,
        bundles: bytesUnder(join(app, 'lib')).bytes, nodeModules: bytesUnder(join(app, 'node_modules')).bytes,
      },
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
