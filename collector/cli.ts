/** `faultline collector`: run the collector until SIGINT/SIGTERM; SIGHUP re-reads the desk config. */
import { SMTP_OPTIONS, SMTP_USAGE, smtpSettingsFromArgs } from './smtp-args.js';
import { AUDIT_CHECKPOINT_OPTIONS, AUDIT_CHECKPOINT_USAGE, auditCheckpointFromArgs } from './audit/checkpoint-args.js';
import { parseArgs } from 'node:util';
import { createLogger } from '../runtime/process-log.js';
import { untilSignal } from '../runtime/signals.js';
import { errorCode, errorMessage, UsageError } from '../protocol/errors.js';
import { DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, startCollector } from './collector.js';
import { parseTrustedProxies } from './api/trusted-proxies.js';
import { AUTH_MODES, type AuthMode } from './security/broker-security.js';
import { brokerSettingsFromArgs, BROKER_OPTIONS, BROKER_USAGE, EMBEDDED_BROKER_FLAGS, httpAuthSecretFromArgs, HTTP_AUTH_USAGE } from './broker/broker-args.js';
import { DEFAULT_RETENTION } from './retention.js';

export const COLLECTOR_USAGE = `Usage: faultline collector [options]

Runs the collector: an embedded MQTT broker (MQTT 3.1.1), the SQLite store, the service desk
(alarms, tickets, SLA clocks, routing, escalation, webhooks) and the HTTP API.

Options:
  --config FILE      the service-desk YAML (teams, routing, calendars, SLA, webhooks …);
                     built-in defaults without it. SIGHUP or POST /api/admin/reload-config re-reads it
  --data-dir DIR     where faultline.db lives (default ./data; created when missing); the device-key
                     file lives here in every mode
  --database URL     postgres://USER@HOST/DB: the desk in a shared PostgreSQL database instead of
                     SQLite (default: the FAULTLINE_DATABASE environment variable; prefer it, or
                     a password file (~/.pgpass), to a password on the command line)
  --mqtt-host HOST   MQTT listen address (default ${DEFAULT_HOST})
  --mqtt-port PORT   MQTT port (default ${DEFAULT_MQTT_PORT}; 0 = any free port)
  --http-host HOST   HTTP listen address (default ${DEFAULT_HOST})
  --http-port PORT   HTTP port (default ${DEFAULT_HTTP_PORT}; 0 = any free port)
  --mqtt-auth MODE   auto (default: device credentials required once any exists, see
                     \`faultline device add\`), required, or off
  --mqtts-port PORT  also listen for MQTT over TLS on PORT (needs --tls-cert and --tls-key)
  --tls-cert FILE    the broker's certificate chain (PEM)
  --tls-key FILE     its private key (PEM)
  --tls-ca FILE      a CA bundle: clients must then present a certificate it signed
  --tls-only         no plain MQTT listener, only MQTTS
  --trust-proxy LIST reverse proxies in front of the HTTP API (addresses or CIDR ranges, comma-
                     separated): their X-Forwarded-For gives the client address the login
                     throttle and the logs use; without it the connecting address counts
${BROKER_USAGE}${HTTP_AUTH_USAGE}${SMTP_USAGE}${AUDIT_CHECKPOINT_USAGE}  --keep-events-days N      days fault events are kept after arrival (default 180; 0 = forever);
                     events a ticket needs stay (those of open tickets, the first of each closed one);
                     tickets and the audit log are never pruned
  --keep-telemetry-hours N  hours telemetry samples are kept (default 24)
  -h, --help         show this help

Stops cleanly on Ctrl+C (SIGINT) or SIGTERM; SIGHUP reloads --config (an invalid file is refused
and the config in use stays).
`;

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
        config: { type: 'string' }, 'data-dir': { type: 'string' }, database: { type: 'string' }, 'mqtt-host': { type: 'string' }, 'mqtt-port': { type: 'string' },
        'http-host': { type: 'string' }, 'http-port': { type: 'string' }, help: { type: 'boolean', short: 'h' },
        'mqtt-auth': { type: 'string' }, 'mqtts-port': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' }, 'tls-only': { type: 'boolean' }, 'trust-proxy': { type: 'string' },
        ...BROKER_OPTIONS, 'mqtt-http-auth-secret-file': { type: 'string' }, ...SMTP_OPTIONS,
        'keep-events-days': { type: 'string' }, 'keep-telemetry-hours': { type: 'string' }, ...AUDIT_CHECKPOINT_OPTIONS,
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function count(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > 1_000_000) throw new UsageError(`--${flag} must be a whole number from ${min}, got "${value}"`);
  return n;
}

function proxiesOrUsage(text: string): string[] {
  try {
    return parseTrustedProxies(text);
  } catch (err) {
    throw new UsageError(errorMessage(err));
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
    const auth = values['mqtt-auth'] ?? 'auto';
    if (!(AUTH_MODES as readonly string[]).includes(auth)) throw new UsageError(`--mqtt-auth must be one of ${AUTH_MODES.join(', ')}, got "${auth}"`);
    const tlsWanted = values['mqtts-port'] !== undefined || values['tls-cert'] !== undefined || values['tls-key'] !== undefined || values['tls-only'] === true;
    if (tlsWanted && (values['mqtts-port'] === undefined || !values['tls-cert'] || !values['tls-key'])) {
      throw new UsageError('MQTTS needs --mqtts-port, --tls-cert and --tls-key together');
    }
    const mqttTls = tlsWanted ? {
      port: parsePort('mqtts-port', values['mqtts-port'], 8883), certFile: values['tls-cert'] ?? '', keyFile: values['tls-key'] ?? '',
      ...(values['tls-ca'] ? { caFile: values['tls-ca'] } : {}),
    } : undefined;
    const trustProxy = values['trust-proxy'] === undefined ? undefined : proxiesOrUsage(values['trust-proxy']);
    const broker = brokerSettingsFromArgs(values, process.env);
    if (broker) {
      const embeddedOnly = EMBEDDED_BROKER_FLAGS.filter((f) => values[f] !== undefined);
      if (embeddedOnly.length > 0) throw new UsageError(`--broker runs no embedded broker: drop ${embeddedOnly.map((f) => `--${f}`).join(', ')}`);
    }
    const httpAuthSecret = httpAuthSecretFromArgs(values, process.env);
    const httpHost = values['http-host'] ?? DEFAULT_HOST;
    const smtp = smtpSettingsFromArgs(values, process.env, {
      dataDir: values['data-dir'] ?? './data',
      publicUrl: `http://${httpHost === '0.0.0.0' || httpHost === '::' ? '127.0.0.1' : httpHost}:${parsePort('http-port', values['http-port'], DEFAULT_HTTP_PORT)}`,
    });
    options = {
      ...(smtp ? { smtp } : {}),
      auditCheckpoint: auditCheckpointFromArgs(values),
      ...(broker ? { broker } : {}),
      ...(httpAuthSecret === undefined ? {} : { mqttHttpAuth: { secret: httpAuthSecret } }),
      ...(values.config === undefined ? {} : { configFile: values.config }),
      ...(trustProxy ? { trustProxy } : {}),
      retention: {
        eventsDays: count('keep-events-days', values['keep-events-days'], DEFAULT_RETENTION.eventsDays, 0),
        telemetryHours: count('keep-telemetry-hours', values['keep-telemetry-hours'], DEFAULT_RETENTION.telemetryHours, 1),
      },
      mqttAuth: auth as AuthMode, ...(mqttTls ? { mqttTls } : {}), mqttPlain: values['tls-only'] !== true,
      dataDir: values['data-dir'] ?? './data',
      ...(values.database ? { database: values.database } : {}),
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
  const mqttLine = collector.brokerMode === 'external' ? `${collector.mqttUrl}  (external broker, shared subscription)` : collector.mqttUrl;
  io.stdout.write(`faultline collector running\n  HTTP API: ${collector.httpUrl}/api/health\n  MQTT:     ${mqttLine}\n  Stop:     Ctrl+C\n`);
  const running = collector;
  const reload = (): void => {
    running.reloadConfig().then((s) => {
      io.stdout.write(`faultline collector: config reloaded from ${s.source}\n`);
    }, (err: unknown) => {
      log.warn({ code: errorCode(err) }, 'SIGHUP: config not reloaded; the config in use stays');
      io.stderr.write(`faultline collector: config not reloaded, the config in use stays: ${errorMessage(err)}\n`);
    });
  };
  process.on('SIGHUP', reload);
  const signal = await untilSignal().finally(() => process.off('SIGHUP', reload));
  log.info({ signal }, 'stopping');
  try {
    await collector.stop();
  } catch (err) {
    io.stderr.write(`faultline collector: did not stop cleanly: ${errorMessage(err)}\n`);
    return 1;
  }
  return 0;
}
