/** `faultline collector`: run the collector until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { createLogger } from '../bin/log.js';
import { untilSignal } from '../bin/shutdown.js';
import { errorMessage } from '../protocol/errors.js';
import { DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, startCollector } from './collector.js';

export const COLLECTOR_USAGE = `Usage: faultline collector [options]

Runs the collector: an embedded MQTT broker (MQTT 3.1.1), the SQLite store and the HTTP API.

Options:
  --data-dir DIR     where faultline.db lives (default ./data; created when missing)
  --mqtt-host HOST   MQTT listen address (default ${DEFAULT_HOST})
  --mqtt-port PORT   MQTT port (default ${DEFAULT_MQTT_PORT}; 0 = any free port)
  --http-host HOST   HTTP listen address (default ${DEFAULT_HOST})
  --http-port PORT   HTTP port (default ${DEFAULT_HTTP_PORT}; 0 = any free port)
  -h, --help         show this help

Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.
`;

class UsageError extends Error {}

function parsePort(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--${flag} must be a port number 0-65535, got "${value}"`);
  return n;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv, allowPositionals: false, strict: true,
      options: {
        'data-dir': { type: 'string' }, 'mqtt-host': { type: 'string' }, 'mqtt-port': { type: 'string' },
        'http-host': { type: 'string' }, 'http-port': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Where the command writes for people; tests pass their own. */
export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export async function collectorCommand(argv: string[], io: CommandIo = process): Promise<number> {
  let options;
  try {
    const values = parse(argv);
    if (values.help) {
      io.stdout.write(COLLECTOR_USAGE);
      return 0;
    }
    options = {
      dataDir: values['data-dir'] ?? './data',
      mqttHost: values['mqtt-host'] ?? DEFAULT_HOST, mqttPort: parsePort('mqtt-port', values['mqtt-port'], DEFAULT_MQTT_PORT),
      httpHost: values['http-host'] ?? DEFAULT_HOST, httpPort: parsePort('http-port', values['http-port'], DEFAULT_HTTP_PORT),
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`faultline collector: ${err.message}\n\n${COLLECTOR_USAGE}`);
    return 2;
  }

  const log = createLogger('faultline-collector');
  let collector;
  try {
    collector = await startCollector({ ...options, log });
  } catch (err) {
    log.error({ err }, 'collector failed to start');
    io.stderr.write(`faultline collector: ${errorMessage(err)}\n`);
    return 1;
  }
  io.stdout.write(`faultline collector running\n  HTTP API: ${collector.httpUrl}/api/health\n  MQTT:     ${collector.mqttUrl}\n  Stop:     Ctrl+C\n`);
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  try {
    await collector.stop();
  } catch (err) {
    io.stderr.write(`faultline collector: did not stop cleanly: ${errorMessage(err)}\n`);
    return 1;
  }
  return 0;
}
