/** The process logger. Components never create loggers; they receive one (child loggers per component). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.FAULTLINE_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    // Never log a secret: any field with one of these names is replaced, wherever it appears.
    redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'writeKey', '*.writeKey', 'signature', '*.signature', 'authorization', '*.authorization'], censor: '[redacted]' },
  });
}

/** For tests and benchmarks: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
