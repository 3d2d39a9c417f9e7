/**
 * Lines in a format of the device's own, described by one regular expression with named groups:
 * `time`, `host`, `app`, `pid`, `severity` (or `level`) and `message` (or `msg`); all optional,
 * the message defaults to the whole text. And 'plain': the whole text is the message.
 */
import { FaultlineError } from '../../../protocol/errors.js';
import { fail, ok, plainRecord, type LogParser, type ParsedLogRecord, type TimeZoneMode } from './record.js';
import { severityFromLevel } from './severity.js';
import { timeFromValue } from './json-lines.js';
import { scanBsdTime } from './timestamp.js';

export function createPlainParser(): LogParser {
  return (text, readTimeMs) => ok(plainRecord(text, readTimeMs));
}

export function compileLinePattern(source: string, where: string): RegExp {
  try {
    return new RegExp(source);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_LOG_PATTERN', `${where}: not a valid regular expression: ${(cause as Error).message}`, {
      cause, context: { where, pattern: source }, hint: 'fix the pattern (JavaScript RegExp syntax, named groups as (?<name>...))',
    });
  }
}

export function createRegexParser(source: string, opts: { zone?: TimeZoneMode; where?: string } = {}): LogParser {
  const re = compileLinePattern(source, opts.where ?? 'log pattern');
  const zone = opts.zone ?? 'local';
  return (text, readTimeMs) => {
    const m = re.exec(text);
    if (!m) return fail('does not match the configured pattern');
    const g = m.groups ?? {};
    let message = g.message ?? g.msg ?? text;
    // A multi-line record: the pattern describes the first line; the continuation lines stay in the message.
    const after = m.index + m[0].length;
    if (message !== text && text.charCodeAt(after) === 10) message += text.slice(after);
    const record: ParsedLogRecord = { timeMs: readTimeMs, message, raw: text };
    if (g.time) record.timeMs = scanBsdTime(g.time, 0, readTimeMs, zone)?.timeMs ?? timeFromValue(g.time) ?? readTimeMs;
    if (g.host) record.host = g.host;
    if (g.app) record.app = g.app;
    if (g.pid && /^\d{1,10}$/.test(g.pid)) record.pid = Number(g.pid);
    const severity = severityFromLevel(g.severity ?? g.level);
    if (severity) record.severity = severity;
    return ok(record);
  };
}
