/**
 * Runs the agent from its two bundles (agent/bundle.mjs) with the lean V8 settings described in
 * agent/launch.ts. Used by `faultline agent` (agent/launch.ts) and by the installable package's
 * launcher (agent/package/main.ts), which has the bundles but none of the separate modules.
 * Imports no agent code: the bundle is loaded only after the V8 flags are set.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { AgentConfig } from './config/agent-config-schema.js';
import type { ConfigLoader } from './config/config-loader.js';

type AgentCliModule = typeof import('./cli.js');

/**
 * V8's default bytecode age (full collections before unused bytecode is dropped) on the Node majors
 * this project supports: it differs between them (Node 20: 5, Node 24: 6), and a running V8 cannot
 * be asked for a flag's value. On another major the agent leaves the setting alone.
 */
const BYTECODE_OLD_AGE_DEFAULT: Readonly<Record<string, number>> = { 20: 5, 24: 6 };
const bytecodeAgeDefault = BYTECODE_OLD_AGE_DEFAULT[process.versions.node.split('.')[0] ?? ''];

/** Set at run time, before the agent's modules load (V8 reads them as the heap grows and code compiles). */
export const LEAN_V8_FLAGS: readonly string[] = [
  '--semi-space-growth-factor=1', '--max-lazy', '--no-opt', '--no-sparkplug', ...(bytecodeAgeDefault ? ['--bytecode-old-age=1'] : []), '--optimize-for-size',
];
/** V8's defaults for the same settings (on this Node), to undo LEAN_V8_FLAGS at run time. */
export const DEFAULT_V8_FLAGS: readonly string[] = [
  '--semi-space-growth-factor=2', '--no-max-lazy', '--opt', '--sparkplug', ...(bytecodeAgeDefault ? [`--bytecode-old-age=${bytecodeAgeDefault}`] : []), '--no-optimize-for-size',
];

/** Lean unless FAULTLINE_AGENT_LEAN says otherwise or the config follows log files (parsing them wants the optimising compiler). */
export function leanV8(config: Pick<AgentConfig, 'devices'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FAULTLINE_AGENT_LEAN === '0') return false;
  if (env.FAULTLINE_AGENT_LEAN === '1') return true;
  return !config.devices.some((d) => d.logs.length > 0);
}

/** True unless FAULTLINE_AGENT_LEAN=0: the lean flags are set before anything loads. */
export function startLean(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.FAULTLINE_AGENT_LEAN !== '0';
}

/** The config readers, giving V8 its defaults back as soon as the config they read wants them. */
export function settingUpV8(loader: () => Promise<ConfigLoader>): () => Promise<ConfigLoader> {
  return async () => {
    const readers = await loader();
    return {
      loadAgentSetup: (file) => {
        const setup = readers.loadAgentSetup(file);
        if ('config' in setup && !leanV8(setup.config)) for (const flag of DEFAULT_V8_FLAGS) setFlagsFromString(flag);
        return setup;
      },
    };
  };
}

/** The config readers from the config bundle, forgotten by the module cache as soon as they are handed over. */
export function loadConfigBundle(bundle: URL): Promise<ConfigLoader> {
  const file = fileURLToPath(bundle);
  const require = createRequire(file);
  try {
    return Promise.resolve(require(file) as ConfigLoader);
  } finally {
    delete require.cache[file];
  }
}

/** The agent CLI from its bundle (`bundle`) and config bundle (`configBundle`), lean unless FAULTLINE_AGENT_LEAN=0. */
export async function runAgentBundle(argv: string[], bundle: URL, configBundle: URL): Promise<number> {
  const lean = startLean();
  if (lean) for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
  const loader = (): Promise<ConfigLoader> => loadConfigBundle(configBundle);
  const cli = (await import(bundle.href)) as AgentCliModule;
  return cli.agentCommand(argv, { configLoader: lean ? settingUpV8(loader) : loader });
}
