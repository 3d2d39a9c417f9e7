/** Child process for the footprint bench: a real agent for the synthetic 100-register device. argv[2] = config JSON. */
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../bin/log.js';
import { benchAdapter } from './bench-adapter.js';

const config = checkAgentConfig(JSON.parse(process.argv[2] ?? '{}'), 'bench');
const agent = await startAgent(config, { log: silentLogger(), adapters: [benchAdapter(100)] });
process.send?.('ready');
process.on('SIGTERM', () => { void agent.stop().then(() => process.exit(0)); });
