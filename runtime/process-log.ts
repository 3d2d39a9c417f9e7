/** The process logger: created once by the command that runs (agent, collector, simulator, demo), handed to components as children. */
import { pino } from 'pino';
import { loggerOptions, type Logger } from '../protocol/logger.js';
import { stdoutSink } from './log-sink.js';

export function createLogger(name: string, level = process.env.FAULTLINE_LOG_LEVEL ?? 'info'): Logger {
  return pino(loggerOptions(name, level), stdoutSink());
}
