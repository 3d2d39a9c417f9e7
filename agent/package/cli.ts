/** `npm run package:agent [-- --revision N] [--out DIR]`: builds the agent package and prints what it wrote, with sizes. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../protocol/errors.js';
import { buildAgentPackage, PROJECT_ROOT } from './build.js';
import { RUNTIME_MODULES, type RuntimeModule } from './runtime-modules.js';

const USAGE = `Usage: npm run package:agent [-- --revision N] [--out DIR] [--no-deb]

Builds the agent package for this machine (its architecture and Node.js major version) from the
bundle npm run build wrote: a tarball and a .deb in DIR (default dist/packages), with SHA256SUMS.
  --revision N   the package revision: version <agent version>-N (default 1)
  --out DIR      where to write them
  --no-deb       the tarball only (no dpkg-deb on this machine)`;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** "better-sqlite3 12.11.1, … and 19 of their dependencies". */
function modulesLine(modules: readonly RuntimeModule[]): string {
  const top = modules.filter((m) => RUNTIME_MODULES.includes(m.name) && m.path === `node_modules/${m.name}`);
  return `${top.map((m) => `${m.name} ${m.version}`).join(', ')} and ${modules.length - top.length} of their dependencies`;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { revision: { type: 'string' }, out: { type: 'string' }, 'no-deb': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    process.stderr.write(`package:agent: ${errorMessage(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  try {
    const p = await buildAgentPackage({ outDir: values.out ?? join(PROJECT_ROOT, 'dist', 'packages'), deb: values['no-deb'] !== true, ...(values.revision === undefined ? {} : { revision: values.revision }) });
    process.stdout.write([
      `faultline-agent ${p.version} for linux-${process.arch}, Node.js ${process.versions.node.split('.')[0]}:`,
      `  ${p.tarball}  ${mib(p.sizes.tarball)}`,
      ...(p.deb ? [`  ${p.deb}  ${mib(p.sizes.deb)}`] : []),
      `  ${p.checksums}`,
      `  unpacked: ${mib(p.sizes.unpacked)} in ${p.sizes.files} files: agent bundles ${mib(p.sizes.bundles)}, node_modules ${mib(p.sizes.nodeModules)} (${modulesLine(p.modules)})`,
    ].join('\n') + '\n');
    return 0;
  } catch (err) {
    process.stderr.write(`package:agent: ${errorMessage(err)}\n`);
    return 1;
  }
}

process.exit(await main(process.argv.slice(2)));
