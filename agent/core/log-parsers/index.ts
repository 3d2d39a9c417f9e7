/** The log parsers' public face: pick a parser for a configured format. */
import { FaultlineError } from '../../../protocol/errors.js';
import { createJsonLinesParser, type JsonLinesOptions } from './json-lines.js';
import type { LogParser, TimeZoneMode } from './record.js';
import { createPlainParser, createRegexParser } from './regex-line.js';
import { createSyslog3164Parser } from './syslog-3164.js';
import { createSyslog5424Parser } from './syslog-5424.js';

export const LOG_FORMATS = ['syslog3164', 'syslog5424', 'jsonl', 'plain', 'regex'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ParserConfig {
  format: LogFormat;
  /** For 'jsonl'. */
  json?: JsonLinesOptions;
  /** For 'regex': the line pattern with named groups. */
  pattern?: string;
  /** For zone-less times (RFC 3164). Default 'local'. */
  zone?: TimeZoneMode;
}

export function createParser(cfg: ParserConfig): LogParser {
  switch (cfg.format) {
    case 'syslog3164': return createSyslog3164Parser({ zone: cfg.zone });
    case 'syslog5424': return createSyslog5424Parser();
    case 'jsonl': return createJsonLinesParser(cfg.json);
    case 'plain': return createPlainParser();
    case 'regex':
      if (!cfg.pattern) {
        throw new FaultlineError('FL_ERR_LOG_CONFIG', 'format "regex" needs a pattern', {
          context: { format: cfg.format }, hint: 'add `pattern:` with named groups such as (?<time>...) (?<message>.*)',
        });
      }
      return createRegexParser(cfg.pattern, { zone: cfg.zone, where: 'pattern' });
  }
}

export { LOG_SEVERITIES, plainRecord, type LogParser, type LogSeverity, type ParsedLogRecord, type ParseResult, type TimeZoneMode } from './record.js';
export { classifyLine, type LineClass } from './line-hygiene.js';
export { DEFAULT_CONTINUATION, MultilineAssembler, type AssembledRecord, type MultilineOptions } from './multiline.js';
export { severityFromLevel } from './severity.js';
export type { JsonLinesOptions } from './json-lines.js';
