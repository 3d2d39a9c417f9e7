/**
 * `faultline agent` as the CLI starts it: the agent runs for months on small controllers, so its
 * process is set up for a small, steady footprint before any agent code loads.
 *
 * - V8 is told to keep its young generation at its initial 1 MiB instead of growing it to
 *   16 MiB, to compile lazily and not to run its optimising (TurboFan) and baseline (Sparkplug)
 *   compilers: the agent's work is a few small jobs a second, which the interpreter does in
 *   microseconds, while the compilers' code and zone memory cost ~10 MiB of RSS.
 *   They are set before anything loads (set later, they save nothing: start-up has grown the
 *   heap by then). An agent whose config follows log files gets V8's defaults back once the
 *   config is read, before it starts: optimised code parses log lines about 3.5 times faster,
 *   and a busy log is real work. FAULTLINE_AGENT_LEAN=1 or 0 forces either choice.
 * - V8 keeps its old generation small (`--optimize-for-size`, its conservative heap growing: after a full collection the heap may
 *   grow by 2 MiB before the next one instead of 8 MiB, and by a smaller factor) and drops the
 *   bytecode of a function not run since the last full collection (`--bytecode-old-age=1`; V8's
 *   default waits for five on Node 20, six on Node 24): most of the bundle runs only at start-up. In the footprint bench
 *   beside the commit before, mean RSS over 60 s 54.9 MiB (1.39x bare node) against 58.8 MiB
 *   (1.49x); the price is more full collections, CPU 1.14-1.17x (0.81% against 0.69% of a core in
 *   that run). `--bytecode-old-age=1` alone changed neither figure measurably.
 * - The agent's code is loaded from the single-file bundle `npm run build` writes
 *   (agent/bundle.mjs: one minified module instead of ~300, about 9 MiB less) when every file it
 *   was built from is unchanged (our compiled files by content, packages by size and time);
 *   otherwise (sources changed and only `tsc` ran) from the separate modules in dist/, which
 *   behave the same.
 * - The config readers (yaml, the config and adapter validators) come from a second, CommonJS
 *   bundle that is required for start-up and dropped from the module cache at once, so that the
 *   garbage collector can reclaim them: a running agent never reads its config again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { ConfigLoader } from './config/config-loader.js';
import { LEAN_V8_FLAGS, loadConfigBundle as loadConfigBundleFrom, runAgentBundle, settingUpV8, startLean } from './launch-bundle.js';

export { DEFAULT_V8_FLAGS, LEAN_V8_FLAGS, leanV8 } from './launch-bundle.js';

/** Where agent/bundle.mjs writes the bundle and the list of files it was built from. */
export const AGENT_BUNDLE = new URL('../agent-bundle/faultline-agent.mjs', import.meta.url);
export const AGENT_CONFIG_BUNDLE = new URL('../agent-bundle/faultline-agent-config.cjs', import.meta.url);
export const AGENT_BUNDLE_INPUTS = new URL('../agent-bundle/inputs.json', import.meta.url);

type BundleInput = { sha256: string } | { size: number; mtimeMs: number };

/** True when both bundles exist and every file they were built from is still what it was (agent/bundle.mjs). */
export function bundleIsFresh(bundle: URL = AGENT_BUNDLE, inputs: URL = AGENT_BUNDLE_INPUTS): boolean {
  try {
    statSync(bundle);
    statSync(new URL('faultline-agent-config.cjs', bundle));
    const files = JSON.parse(readFileSync(inputs, 'utf8')) as unknown;
    if (typeof files !== 'object' || files === null || Array.isArray(files)) return false;
    const base = fileURLToPath(new URL('../../', bundle));
    return Object.entries(files as Record<string, BundleInput>).every(([file, was]) => {
      if ('sha256' in was) return createHash('sha256').update(readFileSync(`${base}${file}`)).digest('hex') === was.sha256;
      const st = statSync(`${base}${file}`);
      return st.size === was.size && st.mtimeMs === was.mtimeMs;
    });
  } catch {
    return false;
  }
}

/** The config readers from the config bundle, forgotten by the module cache as soon as they are handed over. */
export function loadConfigBundle(bundle: URL = AGENT_CONFIG_BUNDLE): Promise<ConfigLoader> {
  return loadConfigBundleFrom(bundle);
}

/** The `faultline agent` command: the agent CLI (bundled when possible), lean V8 settings once its config is read. */
export async function launchAgent(argv: string[]): Promise<number> {
  if (bundleIsFresh()) return runAgentBundle(argv, AGENT_BUNDLE, AGENT_CONFIG_BUNDLE);
  const lean = startLean();
  if (lean) for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
  const loader = (): Promise<ConfigLoader> => import('./config/config-loader.js');
  const cli = await import('./cli.js');
  return cli.agentCommand(argv, { configLoader: lean ? settingUpV8(loader) : loader });
}
