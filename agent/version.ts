/** The agent's version, in a module of its own so that the CLI can print it without loading the agent. */
export const AGENT_VERSION = '0.2.0';
