/** `faultline agent` and `faultline agent check`. */
import { parseArgs } from 'node:util';
import { createLogger } from '../runtime/process-log.js';
import { untilSignal } from '../runtime/signals.js';
import { errorMessage } from '../protocol/errors.js';
import { POLL_GROUPS, registerSpan } from '../firmware-adapters/schema.js';
import { planReads } from '../firmware-adapters/read-plan.js';
import type { AgentSetup, ConfigLoader } from './config/config-loader.js';
import type { Adapter } from '../firmware-adapters/schema.js';
import type { AgentConfig } from './config/agent-config-schema.js';
import { parameterCatalogue, resolveAdapter, startAgent } from './agent.js';
import { busKey } from './sources/modbus-bus.js';
import { systemParameters } from './sources/system-metrics.js';
import { describeDetection, describeSystemDetection } from './core/detection-summary.js';

export const AGENT_HELP = `Usage:
  faultline agent --config FILE         run the edge agent for the devices in FILE
  faultline agent check --config FILE   validate FILE, print what would be polled and watched, exit 1 on problems
  faultline agent check --probe --config FILE
                                        also read every register of every device once (a table: raw,
                                        value, unit, quality, exception, latency) and connect to the
                                        broker as each device (credentials, TLS, ACL); exit 1 on any failure

Options:
  -c, --config FILE   the agent's YAML config (keys: see README "Agent config")
  -p, --probe         with check: talk to the devices and the broker
  -h, --help          show this help

Environment: FAULTLINE_LOG_LEVEL (trace|debug|info|warn|error, default info),
  FAULTLINE_AGENT_LEAN=1|0 (force the lean V8 settings on or off; default: lean unless the
  config follows log files; see README "Footprint")`;

function describePlan(config: AgentConfig, adapters: readonly Adapter[]): string {
  const lines = [`mqtt: ${config.mqtt.url} (MQTT ${config.mqtt.protocolVersion === 5 ? '5' : '3.1.1'})`];
  for (const device of config.devices) {
    const adapter = resolveAdapter(device, adapters);
    lines.push(`device ${device.site}/${device.id}: model ${device.model} firmware ${device.firmware} -> adapter ${adapter.id}${device.writeKey ? ' (signed writes accepted)' : ''}`);
    const m = device.modbus;
    if (m) {
      lines.push(`  modbus ${busKey(m)} unit ${m.unitId ?? adapter.unitId}, timeout ${m.timeoutMs} ms, ${m.retries} retr${m.retries === 1 ? 'y' : 'ies'}`);
      const plan = { maxRegisters: m.maxRegistersPerRequest, maxGap: m.maxGap };
      for (const group of POLL_GROUPS) {
        const regs = adapter.registers.filter((r) => (r.poll ?? 'normal') === group);
        for (const r of regs.length > 0 ? planReads(regs, plan) : []) {
          lines.push(`    every ${m.intervals[group]} ms read ${r.table} ${r.address}..${r.address + r.length - 1}: ${r.registers.map((x) => `${x.name}${registerSpan(x) > 1 ? `(${x.type})` : ''}`).join(', ')}`);
        }
      }
    } else {
      lines.push('  modbus: off');
    }
    lines.push(...describeDetection(adapter).map((l) => `  ${l}`));
    for (const f of device.logs) lines.push(`  follow ${f.path} (${f.format}), ${adapter.logPatterns?.length ?? 0} log patterns of ${adapter.id}`);
    if (device.system.enabled) {
      lines.push(`  system metrics every ${device.system.intervalMs} ms`);
      lines.push(...describeSystemDetection(device.system).map((l) => `    ${l}`));
    } else {
      lines.push('  system metrics: off');
    }
    lines.push(`  parameters: ${parameterCatalogue(adapter, device.system.enabled ? systemParameters(device.system) : []).length}`);
  }
  return lines.join('\n');
}

/** Loads the config with readers nothing refers to afterwards (so that they can be garbage-collected). */
async function readSetup(file: string, configLoader: () => Promise<ConfigLoader>): Promise<AgentSetup> {
  try {
    return (await configLoader()).loadAgentSetup(file);
  } catch (err) {
    return { problem: errorMessage(err) };
  }
}

/** How the command gets the config readers; `faultline agent` passes one it can drop after start-up (agent/launch.ts). */
export interface AgentCommandOptions {
  configLoader?: () => Promise<ConfigLoader>;
}

export async function agentCommand(argv: string[], opts: AgentCommandOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, probe: { type: 'boolean', short: 'p' }, help: { type: 'boolean', short: 'h' } } });
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
  const setup = await readSetup(values.config, opts.configLoader ?? (() => import('./config/config-loader.js')));
  if ('problem' in setup) {
    process.stderr.write(`${setup.problem}\n`);
    return 1;
  }
  const { config, adapters } = setup;
  if (sub === 'check') {
    try {
      process.stdout.write(`${describePlan(config, adapters)}\nconfig OK\n`);
    } catch (err) {
      process.stderr.write(`${errorMessage(err)}\n`);
      return 1;
    }
    if (!values.probe) return 0;
    const { probeBroker, probeModbus } = await import('./probe.js');
    const log = createLogger('faultline-agent-probe', process.env.FAULTLINE_LOG_LEVEL ?? 'warn');
    let ok = true;
    for (const device of config.devices) {
      process.stdout.write(`probe ${device.site}/${device.id}:\n`);
      for (const part of [await probeModbus(device, resolveAdapter(device, adapters), log), await probeBroker(config, device)]) {
        process.stdout.write(`${part.lines.join('\n')}\n`);
        ok &&= part.ok;
      }
    }
    process.stdout.write(ok ? 'probe OK\n' : 'probe FAILED\n');
    return ok ? 0 : 1;
  }
  const log = createLogger('faultline-agent');
  let agent;
  try {
    agent = await startAgent(config, { log, adapters });
  } catch (err) {
    process.stderr.write(`faultline agent: ${errorMessage(err)}\n`);
    return 1;
  }
  const sig = await untilSignal();
  log.info({ signal: sig }, 'stopping');
  await agent.stop();
  return 0;
}
