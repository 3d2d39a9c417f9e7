/**
 * Log levels as applications write them, mapped to the syslog severity names: numbers (syslog
 * 0-7; pino/bunyan 10-60) and the usual words of log4j, Python, Go (zap, logrus), .NET, journald.
 */
import { LOG_SEVERITIES, type LogSeverity } from './record.js';

const WORDS = new Map<string, LogSeverity>(Object.entries({
  emerg: 'emergency', emergency: 'emergency', panic: 'emergency',
  alert: 'alert',
  crit: 'critical', critical: 'critical', fatal: 'critical', dpanic: 'critical',
  err: 'error', error: 'error', eror: 'error', severe: 'error',
  warn: 'warning', warning: 'warning', wrn: 'warning',
  notice: 'notice',
  info: 'info', information: 'info', informational: 'info', inf: 'info',
  debug: 'debug', dbg: 'debug', trace: 'debug', verbose: 'debug', fine: 'debug', finer: 'debug', finest: 'debug',
} satisfies Record<string, LogSeverity>));

/** pino and bunyan numeric levels. */
const PINO = new Map<number, LogSeverity>([[10, 'debug'], [20, 'debug'], [30, 'info'], [40, 'warning'], [50, 'error'], [60, 'critical']]);

/** Undefined when the level is not recognised (the record then has no severity). */
export function severityFromLevel(level: unknown): LogSeverity | undefined {
  if (typeof level === 'number') {
    if (Number.isInteger(level) && level >= 0 && level <= 7) return LOG_SEVERITIES[level];
    return PINO.get(level);
  }
  if (typeof level !== 'string' || level.length === 0 || level.length > 16) return undefined;
  return WORDS.get(level) ?? WORDS.get(level.toLowerCase());
}
