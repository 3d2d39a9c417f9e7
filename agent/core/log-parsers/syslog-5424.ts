/**
 * IETF syslog, RFC 5424:
 *   `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`
 * with `-` (NILVALUE) for any absent header field. Structured data is parsed (see
 * structured-data.ts); a UTF-8 BOM before MSG is dropped. Scanned by hand with indexOf.
 */
import { LOG_SEVERITIES, fail, ok, type LogParser, type ParsedLogRecord } from './record.js';
import { scanStructuredData } from './structured-data.js';
import { scanPri } from './syslog-3164.js';
import { scanRfc3339 } from './timestamp.js';

const HEADER_FIELDS = ['HOSTNAME', 'APP-NAME', 'PROCID', 'MSGID'] as const;

export function createSyslog5424Parser(): LogParser {
  return (text, readTimeMs) => {
    if (text.charCodeAt(0) !== 60) return fail('an RFC 5424 line starts with <PRI> (column 1)');
    const p = scanPri(text);
    if (!p) return fail('malformed <PRI> at column 1 (expected <0> to <191>)');
    const [pri, afterPri] = p;
    let i = afterPri;
    const v = text.charCodeAt(i);
    if (v < 49 || v > 57) return fail(`expected VERSION 1 after <PRI> at column ${i + 1}`);
    i++;
    if (text.charCodeAt(i) !== 32) return fail(`expected a space after VERSION at column ${i + 1}`);
    i++;

    let timeMs = readTimeMs;
    if (text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 32) {
      i += 1;
    } else {
      const t = scanRfc3339(text, i);
      if (!t) return fail(`TIMESTAMP at column ${i + 1} is neither "-" nor an RFC 3339 time`);
      timeMs = t.timeMs;
      i = t.end;
    }
    const record: ParsedLogRecord = { timeMs, message: '', raw: text, severity: LOG_SEVERITIES[pri & 7], facility: pri >> 3 };
    const fields: string[] = [];
    for (const name of HEADER_FIELDS) {
      if (text.charCodeAt(i) !== 32) return fail(`expected a space before ${name} at column ${i + 1}`);
      i++;
      const sp = text.indexOf(' ', i);
      if (sp < 0) return fail(`the header ends in ${name} at column ${i + 1} (expected HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, "-" for none)`);
      if (sp === i) return fail(`empty ${name} at column ${i + 1} (use "-" for none)`);
      fields.push(text.slice(i, sp));
      i = sp;
    }
    const [host, app, procId, msgId] = fields as [string, string, string, string];
    if (host !== '-') record.host = host;
    if (app !== '-') record.app = app;
    if (procId !== '-') {
      const pid = Number(procId);
      if (Number.isInteger(pid) && pid >= 0) record.pid = pid;
    }
    if (msgId !== '-') record.msgId = msgId;
    i++; // the space before STRUCTURED-DATA
    const sd = scanStructuredData(text, i);
    if ('error' in sd) return fail(sd.error);
    if (sd.sd) record.structuredData = sd.sd;
    i = sd.end;
    if (i < text.length) {
      if (text.charCodeAt(i) !== 32) return fail(`expected a space or the end after STRUCTURED-DATA at column ${i + 1}`);
      i++;
      if (text.charCodeAt(i) === 0xfeff) i++;
    }
    record.message = text.slice(i);
    return ok(record);
  };
}
