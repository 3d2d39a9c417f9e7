/**
 * What every log parser produces: one record per log entry (a multi-line entry such as a stack
 * trace is one record), and the parser contract. Pure types.
 */

/** Syslog severities, index = the RFC 5424 numeric severity (0 emergency … 7 debug). */
export const LOG_SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;
export type LogSeverity = (typeof LOG_SEVERITIES)[number];

export interface ParsedLogRecord {
  /** From the line when it carries a time, else the time it was read. Milliseconds since the epoch. */
  timeMs: number;
  host?: string;
  app?: string;
  pid?: number;
  severity?: LogSeverity;
  /** Syslog facility (0-23) when the line had a PRI. */
  facility?: number;
  /** RFC 5424 MSGID. */
  msgId?: string;
  /** RFC 5424 structured data: SD-ID → param name → value (escapes resolved). */
  structuredData?: Record<string, Record<string, string>>;
  /** The message text; for a multi-line record, the continuation lines follow after '\n'. */
  message: string;
  /** The record exactly as read (lines joined with '\n'). */
  raw: string;
}

export type ParseResult = { ok: true; record: ParsedLogRecord } | { ok: false; reason: string };

/** Parses one record's text. `readTimeMs` is used when the text has no time (and for the RFC 3164 year). Never throws. */
export type LogParser = (text: string, readTimeMs: number) => ParseResult;

/** How a time without a zone (RFC 3164 `Mmm dd hh:mm:ss`) is read: the agent's local zone or UTC. */
export type TimeZoneMode = 'local' | 'utc';

export function ok(record: ParsedLogRecord): ParseResult {
  return { ok: true, record };
}

export function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

/** A record for text no parser understood (or 'plain' format): the whole text is the message. */
export function plainRecord(text: string, readTimeMs: number): ParsedLogRecord {
  return { timeMs: readTimeMs, message: text, raw: text };
}
