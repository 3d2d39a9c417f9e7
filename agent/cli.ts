/** `faultline agent` and `faultline agent check`. */
import { parseArgs } from 'node:util';
import { createLogger } from '../bin/log.js';
import { untilSignal } from '../bin/shutdown.js';
import { errorMessage } from '../protocol/errors.js';
import { registerWidth } from '../firmware-adapters/schema.js';
import { planReads } from '../firmware-adapters/read-plan.js';
import { loadAgentConfig } from './config/load-config.js';
import type { AgentConfig } from './config/agent-config-schema.js';
import { parameterCatalogue, resolveAdapter, startAgent } from './agent.js';

export const AGENT_HELP = `Usage:
  faultline agent --config FILE         run the edge agent for one device
  faultline agent check --config FILE   validate FILE, print what would be polled and watched, exit 1 on problems

Options:
  -c, --config FILE   the agent's YAML config (keys: see README "Agent config")
  -h, --help          show this help

Environment: FAULTLINE_LOG_LEVEL (trace|debug|info|warn|error, default info)`;

function describePlan(config: AgentConfig): string {
  const adapter = resolveAdapter(config);
  const lines = [
    `device ${config.device.site}/${config.device.id}: model ${config.device.model} firmware ${config.device.firmware} -> adapter ${adapter.id}`,
    `mqtt: ${config.mqtt.url} (MQTT ${config.mqtt.protocolVersion === 5 ? '5' : '3.1.1'})`,
  ];
  if (config.modbus) {
    const m = config.modbus;
    lines.push(`modbus: ${m.host}:${m.port} unit ${m.unitId ?? adapter.unitId}, every ${m.pollIntervalMs} ms, timeout ${m.timeoutMs} ms`);
    for (const r of planReads(adapter.registers, { maxRegisters: m.maxRegistersPerRequest, maxGap: m.maxGap })) {
      lines.push(`  read ${r.table} ${r.address}..${r.address + r.length - 1}: ${r.registers.map((x) => `${x.name}${registerWidth(x.type) > 1 ? `(${x.type})` : ''}`).join(', ')}`);
    }
  } else {
    lines.push('modbus: off');
  }
  lines.push(`system metrics: ${config.system.enabled ? `every ${config.system.intervalMs} ms` : 'off'}`);
  for (const t of adapter.faultTables) lines.push(`watch ${t.register}: ${Object.keys(t.codes).length} fault codes`);
  for (const r of adapter.thresholds) lines.push(`watch ${r.parameter} ${r.direction} ${r.limit} (deadband ${r.deadband}, on ${r.onDelayMs} ms, off ${r.offDelayMs} ms) -> ${r.code}`);
  lines.push(`parameters: ${parameterCatalogue(adapter, config.system.enabled).length}`);
  return lines.join('\n');
}

export async function agentCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`faultline agent: ${errorMessage(err)}\n\n${AGENT_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(`${AGENT_HELP}\n`); return 0; }
  const sub = positionals[0];
  if (sub !== undefined && sub !== 'check') {
    process.stderr.write(`faultline agent: unknown subcommand "${sub}"\n\n${AGENT_HELP}\n`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(`faultline agent: --config FILE is required\n\n${AGENT_HELP}\n`);
    return 2;
  }
  let config: AgentConfig;
  try {
    config = loadAgentConfig(values.config);
    if (sub === 'check') {
      process.stdout.write(`${describePlan(config)}\nconfig OK\n`);
      return 0;
    }
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 1;
  }
  const log = createLogger('faultline-agent');
  const agent = await startAgent(config, { log });
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  await agent.stop();
  return 0;
}
