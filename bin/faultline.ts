#!/usr/bin/env node
/** The one faultline CLI: dispatches to a subcommand. */
import { agentCommand } from '../agent/cli.js';
import { AGENT_VERSION } from '../agent/agent.js';
import { auditCommand } from '../collector/audit/cli.js';
import { collectorCommand } from '../collector/cli.js';
import { deviceCommand } from '../collector/security/cli.js';
import { simulateCommand } from '../firmware-adapters/simulator/cli.js';
import { demoCommand } from './demo.js';

const HELP = `faultline ${AGENT_VERSION}: industrial devices that report their own faults

Usage: faultline <command> [options]     (faultline <command> --help for its options)

Commands:
  collector   run the collector: embedded MQTT broker, SQLite store, tickets, HTTP API
  agent       run the edge agent for one device (agent check: validate a config)
  simulate    run a simulated Modbus TCP device built from a firmware adapter
  demo        a collector plus a simulated plant with real agents (what npm start runs)
  device      device MQTT credentials: add (password shown once), list, revoke
  audit       audit verify: check the tamper-evident audit log's hash chain`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  collector: collectorCommand, agent: agentCommand, simulate: simulateCommand, demo: demoCommand,
  device: (argv) => deviceCommand(argv), audit: auditCommand,
};

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
  process.stdout.write(`${HELP}\n`);
  process.exit(cmd === undefined ? 2 : 0);
}
if (cmd === '--version' || cmd === '-v') {
  process.stdout.write(`${AGENT_VERSION}\n`);
  process.exit(0);
}
const run = commands[cmd];
if (!run) {
  process.stderr.write(`faultline: unknown command "${cmd}"\n\n${HELP}\n`);
  process.exit(2);
}
process.exit(await run(rest));
