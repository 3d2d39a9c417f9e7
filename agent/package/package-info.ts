/** What a built agent package records about itself in its package.json, and the checks a launcher makes against it. */
import { FaultlineError } from '../../protocol/errors.js';

export interface PackageInfo {
  name: 'faultline-agent';
  /** The package version: the agent's version and a package revision, e.g. 0.2.0-1. */
  version: string;
  /** The agent's own version (agent/version.ts), reported in its birth message. */
  agentVersion: string;
  /** process.arch and process.platform of the machine the package was built on (its native modules). */
  arch: string;
  platform: string;
  /** process.versions.modules (Node's ABI) and the Node.js major version the native modules were built for. */
  nodeAbi: string;
  nodeMajor: number;
}

/** Why this Node.js cannot run the package (its native modules would not load), or undefined. */
export function runtimeMismatch(info: PackageInfo, runtime: { arch: string; platform: string; abi: string; version: string }): FaultlineError | undefined {
  if (info.platform !== runtime.platform || info.arch !== runtime.arch) {
    return new FaultlineError('FL_ERR_PACKAGE_ARCH', `this faultline-agent package was built for ${info.platform}-${info.arch}, but this machine is ${runtime.platform}-${runtime.arch}`, {
      context: { built: `${info.platform}-${info.arch}`, running: `${runtime.platform}-${runtime.arch}` },
      hint: `install the package built for ${runtime.platform}-${runtime.arch} (build it on such a machine: npm run package:agent)`,
    });
  }
  if (info.nodeAbi !== runtime.abi) {
    return new FaultlineError('FL_ERR_PACKAGE_NODE', `this faultline-agent package was built for Node.js ${info.nodeMajor} (ABI ${info.nodeAbi}), but it is run by Node.js ${runtime.version} (ABI ${runtime.abi})`, {
      context: { builtFor: info.nodeMajor, abi: info.nodeAbi, running: runtime.version, runningAbi: runtime.abi },
      hint: `run it with Node.js ${info.nodeMajor} (FAULTLINE_NODE=/path/to/node selects one), or build the package with this Node.js`,
    });
  }
  return undefined;
}
