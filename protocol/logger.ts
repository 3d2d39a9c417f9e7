/**
 * The logger every layer receives (the lowest floor: no I/O here). Components never create
 * loggers; the command that runs them does (pino, at the process edge) and hands each component a
 * child. Any pino logger satisfies this interface.
 */
import { clipFields } from './clip-text.js';

export interface LogFn {
  (obj: unknown, msg?: string, ...args: unknown[]): void;
  (msg: string, ...args: unknown[]): void;
}

export interface Logger {
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  silent: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Never log a secret: any field with one of these names is replaced, wherever it appears. */
export const LOG_REDACTION = {
  paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'writeKey', '*.writeKey', 'signature', '*.signature', 'authorization', '*.authorization'],
  censor: '[redacted]',
} as const;

export interface LoggerOptions {
  name: string;
  level: string;
  /** Long strings (user names, topics, URLs from clients) are clipped: one request must not write megabytes of log. */
  formatters: { log: (record: Record<string, unknown>) => Record<string, unknown> };
  redact: { paths: string[]; censor: string };
}

/** The options every faultline process logger is built with (exported so tests can log into a buffer the same way). */
export function loggerOptions(name: string, level: string): LoggerOptions {
  return {
    name, level, formatters: { log: (record) => clipFields(record) },
    redact: { paths: [...LOG_REDACTION.paths], censor: LOG_REDACTION.censor },
  };
}

const discard: LogFn = () => undefined;

/** For tests and benchmarks: a logger that writes nothing. */
export function silentLogger(): Logger {
  const log: Logger = { level: 'silent', fatal: discard, error: discard, warn: discard, info: discard, debug: discard, trace: discard, silent: discard, child: () => log };
  return log;
}
