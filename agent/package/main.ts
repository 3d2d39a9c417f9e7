/**
 * The installed package's launcher (lib/main.mjs in the package, started by bin/faultline-agent):
 * `faultline-agent [check] --config FILE` runs the agent from the two bundles beside it, the same
 * way `faultline agent` does (agent/launch-bundle.ts). Before anything native loads it checks that
 * this Node.js and machine are the ones the package's native modules were built for, so a
 * mismatch is one clear line, not a dlopen stack trace. Bundled on its own by agent/package/build.ts.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../../protocol/errors.js';
import { runAgentBundle } from '../launch-bundle.js';
import { runtimeMismatch, type PackageInfo } from './package-info.js';

const HELP = `Usage:
  faultline-agent --config FILE         run the edge agent for the devices in FILE
  faultline-agent check --config FILE   validate FILE, print what would be polled and watched, exit 1 on problems
  faultline-agent --version             print the package version, the Node.js it was built for and its architecture

The service runs: faultline-agent --config /etc/faultline/agent.yaml (see README.md beside bin/).`;

async function main(argv: string[]): Promise<number> {
  const info = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageInfo;
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`faultline-agent ${info.version} (agent ${info.agentVersion}, ${info.platform}-${info.arch}, Node.js ${info.nodeMajor})\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(`${HELP}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const mismatch = runtimeMismatch(info, { arch: process.arch, platform: process.platform, abi: process.versions.modules, version: process.versions.node });
  if (mismatch) {
    process.stderr.write(`faultline-agent: ${errorMessage(mismatch)}\n`);
    return 1;
  }
  return runAgentBundle(argv, new URL('./faultline-agent.mjs', import.meta.url), new URL('./faultline-agent-config.cjs', import.meta.url));
}

process.exit(await main(process.argv.slice(2)));
