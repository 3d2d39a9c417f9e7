#!/usr/bin/env node
/** The one faultline CLI: dispatches to a subcommand. */
// Each command's modules load only when that command runs: `faultline agent` on a small device
// must not carry the collector (fastify, aedes, the store) in its memory (about 35 MiB of RSS).
import { AGENT_VERSION } from '../agent/version.js';

const HELP = `faultline ${AGENT_VERSION}: industrial devices that report their own faults

Usage: faultline <command> [options]     (faultline <command> --help for its options)

Commands:
  collector   run the collector: embedded MQTT broker, SQLite store, tickets, HTTP API
  agent       run the edge agent for one device (agent check: validate a config)
  simulate    run a simulated Modbus TCP device built from a firmware adapter
  demo        a collector plus a simulated plant with real agents (what npm start runs)
  device      device MQTT credentials: add (password shown once), list, revoke
  user        dashboard/API users and roles: add, list, passwd, remove, token add|list|revoke
  audit       audit verify: check the tamper-evident audit log's hash chain and its signed checkpoints
  backup      a consistent copy of a (running) collector's SQLite database
  restore     put a backup in place as a data directory's database`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  collector: async (argv) => (await import('../collector/cli.js')).collectorCommand(argv),
  agent: async (argv) => (await import('../agent/launch.js')).launchAgent(argv),
  simulate: async (argv) => (await import('../firmware-adapters/simulator/cli.js')).simulateCommand(argv),
  demo: async (argv) => (await import('./demo.js')).demoCommand(argv),
  device: async (argv) => (await import('../collector/security/cli.js')).deviceCommand(argv),
  user: async (argv) => (await import('../collector/users/cli.js')).userCommand(argv),
  audit: async (argv) => (await import('../collector/audit/cli.js')).auditCommand(argv),
  backup: async (argv) => (await import('../collector/backup/cli.js')).backupCommand(argv),
  restore: async (argv) => (await import('../collector/backup/cli.js')).restoreCommand(argv),
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
