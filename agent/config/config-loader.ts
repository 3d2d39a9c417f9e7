/**
 * Everything that reads the agent's config and adapter files (yaml, the generated config
 * validator, the adapter validator), in one module that `faultline agent` loads for start-up
 * only and then lets go of (agent/launch.ts), so that none of it stays in a running agent's
 * memory. What it returns is plain data; a problem comes back as the text to print (described
 * here, with its code and fix, because this module may have its own copy of the error classes).
 */
import type { Adapter } from '../../firmware-adapters/schema.js';
import { errorMessage } from '../../protocol/errors.js';
import type { AgentConfig } from './agent-config-schema.js';
import { loadAdapters } from './adapter-files.js';
import { loadAgentConfig } from './load-config.js';

export type AgentSetup = { config: AgentConfig; adapters: Adapter[] } | { problem: string };

/** The validated config in `file` and the adapters it can use (its adapter files ahead of the built-in ones). */
export function loadAgentSetup(file: string): AgentSetup {
  try {
    let adapters: Adapter[] | undefined;
    // The adapters are loaded while the config is checked, so that a device without one is reported with the rest.
    const config = loadAgentConfig(file, (files) => (adapters = loadAdapters(files)));
    return { config, adapters: adapters ?? loadAdapters(config.adapterFiles) };
  } catch (err) {
    return { problem: errorMessage(err) };
  }
}

export interface ConfigLoader {
  loadAgentSetup: typeof loadAgentSetup;
}
