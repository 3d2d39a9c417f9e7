/**
 * BSD syslog, RFC 3164, as daemons send it and as rsyslog/syslog-ng write it to files:
 *   `<PRI>Mmm dd hh:mm:ss host tag[pid]: message`   (the PRI is absent in files)
 * Also accepted: rsyslog's high-precision file format, an RFC 3339 time in place of the BSD one,
 * and lines without a host (`Mmm dd hh:mm:ss tag: message`, as sent to /dev/log). Only the first
 * line of a multi-line record holds the header. Scanned by hand: no regex, no backtracking.
 */
import { LOG_SEVERITIES, fail, ok, type LogParser, type ParsedLogRecord, type TimeZoneMode } from './record.js';
import { scanBsdTime, scanRfc3339 } from './timestamp.js';

export interface Syslog3164Options {
  /** How the zone-less BSD time is read. Default 'local' (what syslog daemons write). */
  zone?: TimeZoneMode;
}

const MAX_TAG = 128;

/** `<PRI>` at the start: returns [pri, index after '>'] or undefined when malformed. */
export function scanPri(s: string): [number, number] | undefined {
  let pri = 0;
  let i = 1;
  for (; i <= 4; i++) {
    const c = s.charCodeAt(i);
    if (c === 62) break; // '>'
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    pri = pri * 10 + d;
  }
  if (i === 1 || i > 4 || pri > 191) return undefined;
  return [pri, i + 1];
}

/** A tag token is `name:` or `name[pid]:`; returns where its ':' is, or -1. */
function tagColon(s: string, from: number, to: number): number {
  const last = to - 1;
  if (last <= from || last - from > MAX_TAG || s.charCodeAt(last) !== 58) return -1;
  return last;
}

export function createSyslog3164Parser(opts: Syslog3164Options = {}): LogParser {
  const zone = opts.zone ?? 'local';
  return (text, readTimeMs) => {
    let i = 0;
    let pri = -1;
    if (text.charCodeAt(0) === 60) { // '<'
      const p = scanPri(text);
      if (!p) return fail('malformed <PRI> at column 1 (expected <0> to <191>)');
      [pri, i] = p;
    }
    const first = text.charCodeAt(i);
    const time = first >= 48 && first <= 57 ? scanRfc3339(text, i, true) : scanBsdTime(text, i, readTimeMs, zone);
    if (!time) return fail(`no time stamp at column ${i + 1} (expected "Mmm dd hh:mm:ss" or an RFC 3339 time)`);
    i = time.end;
    if (text.charCodeAt(i) !== 32) return fail(`expected a space after the time stamp at column ${i + 1}`);
    i++;
    let lineEnd = text.indexOf('\n', i);
    if (lineEnd < 0) lineEnd = text.length;

    const record: ParsedLogRecord = { timeMs: time.timeMs, message: '', raw: text };
    if (pri >= 0) {
      record.severity = LOG_SEVERITIES[pri & 7];
      record.facility = pri >> 3;
    }
    // Token 1: the host, unless it already is the tag (no host in the line).
    let sp = text.indexOf(' ', i);
    if (sp < 0 || sp > lineEnd) sp = lineEnd;
    if (tagColon(text, i, sp) < 0) {
      if (sp > i) record.host = text.slice(i, sp);
      i = sp < lineEnd ? sp + 1 : sp;
      sp = text.indexOf(' ', i);
      if (sp < 0 || sp > lineEnd) sp = lineEnd;
    }
    // Token 2: `tag:` or `tag[pid]:`; without one, the rest is the message.
    const colon = tagColon(text, i, sp);
    if (colon >= 0) {
      const open = text.charCodeAt(colon - 1) === 93 ? text.lastIndexOf('[', colon - 2) : -1; // `name[pid]:`
      if (open > i) {
        record.app = text.slice(i, open);
        const pid = Number(text.slice(open + 1, colon - 1));
        if (Number.isInteger(pid) && pid >= 0 && colon - 1 > open + 1) record.pid = pid;
      } else {
        record.app = text.slice(i, colon);
      }
      i = sp < lineEnd ? sp + 1 : sp;
    }
    record.message = text.slice(i);
    return ok(record);
  };
}
