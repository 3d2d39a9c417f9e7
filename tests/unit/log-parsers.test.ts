/** Log parsers: RFC 3164, RFC 5424, JSON lines, regex and plain; good lines, edge cases, garbage. */
import t from 'tap';
import { createParser, severityFromLevel, type ParsedLogRecord, type ParseResult } from '../../agent/core/log-parsers/index.js';
import { createJsonLinesParser } from '../../agent/core/log-parsers/json-lines.js';
import { createSyslog3164Parser } from '../../agent/core/log-parsers/syslog-3164.js';

const READ = Date.parse('2025-03-10T12:00:00Z');
const utc = (iso: string): number => Date.parse(iso);

function parsed(r: ParseResult): ParsedLogRecord {
  if (!r.ok) throw new Error(`expected a record, got: ${r.reason}`);
  return r.record;
}

t.test('RFC 3164: good lines', async (t) => {
  const parse = createSyslog3164Parser({ zone: 'utc' });
  const cases: Array<[string, string, Partial<ParsedLogRecord>]> = [
    ['the RFC example, with PRI (Oct is in the future in March: last year)',
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      { timeMs: utc('2024-10-11T22:14:15Z'), severity: 'critical', facility: 4, host: 'mymachine', app: 'su', message: "'su root' failed for lonvick on /dev/pts/8" }],
    ['a file line without PRI, tag with pid',
      'Mar 10 11:59:58 gw01 sshd[1234]: Accepted publickey for root from 10.0.0.5',
      { timeMs: utc('2025-03-10T11:59:58Z'), host: 'gw01', app: 'sshd', pid: 1234, message: 'Accepted publickey for root from 10.0.0.5' }],
    ['a space-padded day',
      'Mar  9 08:00:00 gw01 kernel: [12345.678] Out of memory: Killed process 812 (node)',
      { timeMs: utc('2025-03-09T08:00:00Z'), host: 'gw01', app: 'kernel', message: '[12345.678] Out of memory: Killed process 812 (node)' }],
    ['a zero-padded day', 'Mar 09 08:00:00 gw01 kernel: x', { timeMs: utc('2025-03-09T08:00:00Z') }],
    ['up to a day ahead stays this year (clock skew)', 'Mar 11 08:00:00 gw01 app: x', { timeMs: utc('2025-03-11T08:00:00Z') }],
    ['more than a day ahead is last year', 'Mar 12 08:00:00 gw01 app: x', { timeMs: utc('2024-03-12T08:00:00Z') }],
    ['no host (as sent to /dev/log)', 'Mar 10 11:00:00 systemd[1]: Started Session 4.', { app: 'systemd', pid: 1, message: 'Started Session 4.', host: undefined }],
    ['no tag: the rest is the message', 'Mar 10 11:00:00 gw01 last message repeated 3 times', { host: 'gw01', app: undefined, message: 'last message repeated 3 times' }],
    ['a tag with a slash', 'Mar 10 11:00:00 mx postfix/smtpd[42]: connect from x', { app: 'postfix/smtpd', pid: 42, message: 'connect from x' }],
    ['a non-numeric pid', 'Mar 10 11:00:00 gw app[main]: hi', { app: 'app', pid: undefined, message: 'hi' }],
    ['fractional seconds', 'Mar 10 11:00:00.250 gw01 app: x', { timeMs: utc('2025-03-10T11:00:00.250Z') }],
    ['rsyslog high-precision time', '2025-03-10T11:00:00.123456+01:00 gw01 app[7]: hi', { timeMs: utc('2025-03-10T10:00:00.123Z'), host: 'gw01', app: 'app', pid: 7, message: 'hi' }],
    ['a multi-line record keeps its continuation lines', 'Mar 10 11:00:00 gw01 java[9]: Exception in thread "main"\n\tat Foo.bar(Foo.java:1)',
      { app: 'java', message: 'Exception in thread "main"\n\tat Foo.bar(Foo.java:1)' }],
    ['an empty message', 'Mar 10 11:00:00 gw01 app:', { app: 'app', message: '' }],
    ['PRI 0 and 191', '<191>Mar 10 11:00:00 gw01 app: x', { severity: 'debug', facility: 23 }],
  ];
  for (const [name, line, want] of cases) {
    const rec = parsed(parse(line, READ));
    for (const [k, v] of Object.entries(want)) t.same(rec[k as keyof ParsedLogRecord], v, `${name}: ${k}`);
    t.equal(rec.raw, line, `${name}: raw kept`);
  }
  const dec = parsed(parse('Dec 31 23:59:59 gw app: x', utc('2025-01-01T00:00:10Z')));
  t.equal(dec.timeMs, utc('2024-12-31T23:59:59Z'), 'a December line read on New Year is last year');
});

t.test('RFC 3164: the local zone is the default (what syslog daemons write)', async (t) => {
  const rec = parsed(createSyslog3164Parser()('Mar 10 11:59:58 gw01 app: x', READ));
  t.equal(rec.timeMs, new Date(2025, 2, 10, 11, 59, 58).getTime());
});

t.test('RFC 3164: garbage is refused with a reason saying where', async (t) => {
  const parse = createSyslog3164Parser({ zone: 'utc' });
  const cases: Array<[string, RegExp]> = [
    ['hello world', /no time stamp at column 1/],
    ['', /no time stamp/],
    ['<999>Mar 10 11:00:00 gw app: x', /malformed <PRI>/],
    ['<12', /malformed <PRI>/],
    ['<>Mar 10 11:00:00 gw app: x', /malformed <PRI>/],
    ['Foo 10 11:00:00 gw app: x', /no time stamp/],
    ['Mar 10 25:00:00 gw app: x', /no time stamp/],
    ['Mar 32 11:00:00 gw app: x', /no time stamp/],
    ['Mar 10 11:00', /no time stamp/],
    ['Mar 10 11:00:00', /expected a space after the time stamp/],
    ['<13>Mar 10 11:00:00X', /expected a space after the time stamp at column 20/],
    ['\u0000\u0001\u0002binary', /no time stamp/],
  ];
  for (const [line, reason] of cases) {
    const r = parse(line, READ);
    t.notOk(r.ok, `refuses ${JSON.stringify(line)}`);
    if (!r.ok) t.match(r.reason, reason);
  }
});

t.test('RFC 5424: the RFC examples and edge cases', async (t) => {
  const parse = createParser({ format: 'syslog5424' });
  const cases: Array<[string, string, Partial<ParsedLogRecord>]> = [
    ['example 1 (BOM, NILVALUE procid and SD)', "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
      { timeMs: utc('2003-10-11T22:14:15.003Z'), severity: 'critical', facility: 4, host: 'mymachine.example.com', app: 'su', pid: undefined, msgId: 'ID47', structuredData: undefined, message: "'su root' failed for lonvick on /dev/pts/8" }],
    ['example 2 (offset, microseconds)', "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
      { timeMs: utc('2003-08-24T12:14:15.000Z'), severity: 'notice', facility: 20, host: '192.0.2.1', app: 'myproc', pid: 8710, msgId: undefined, message: "%% It's time to make the do-nuts." }],
    ['example 3 (structured data and message)', '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
      { structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } }, message: 'An application event log entry...' }],
    ['example 4 (two SD elements, no message)', '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      { structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } }, message: '' }],
    ['escapes in SD values', '<13>1 2025-03-10T11:00:00Z h a - - [x@1 a="q\\"uote" b="back\\\\slash" c="br\\]acket" d="keep\\n" e=""] msg',
      { structuredData: { 'x@1': { a: 'q"uote', b: 'back\\slash', c: 'br]acket', d: 'keep\\n', e: '' } }, message: 'msg' }],
    ['an SD-ID without params', '<13>1 2025-03-10T11:00:00Z h a - - [origin] m', { structuredData: { origin: {} }, message: 'm' }],
    ['NILVALUE time: the read time', '<13>1 - gw01 app 12 - - hello', { timeMs: READ, host: 'gw01', app: 'app', pid: 12, message: 'hello' }],
    ['everything nil', '<13>1 - - - - - -', { host: undefined, app: undefined, message: '', severity: 'notice', facility: 1 }],
    ['a non-numeric PROCID is not a pid', '<13>1 - h a worker-3 - - m', { pid: undefined, message: 'm' }],
    ['multi-line message', '<11>1 2025-03-10T11:00:00Z h app 1 - - boom\n  at x', { severity: 'error', message: 'boom\n  at x' }],
  ];
  for (const [name, line, want] of cases) {
    const rec = parsed(parse(line, READ));
    for (const [k, v] of Object.entries(want)) t.same(rec[k as keyof ParsedLogRecord], v, `${name}: ${k}`);
  }
  const proto = parsed(parse('<13>1 - h a - - [__proto__ polluted="yes"] m', READ));
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'an SD-ID of __proto__ pollutes nothing');
  t.same(proto.structuredData?.['__proto__'], { polluted: 'yes' });
});

t.test('RFC 5424: garbage is refused with a reason', async (t) => {
  const parse = createParser({ format: 'syslog5424' });
  const cases: Array<[string, RegExp]> = [
    ['Mar 10 11:00:00 gw app: x', /starts with <PRI>/],
    ['<13>2003-10-11T22:14:15Z h a - - - m', /expected a space after VERSION/],
    ['<13> 2003-10-11T22:14:15Z h a - - - m', /expected VERSION 1/],
    ['<13>1 yesterday h a - - - m', /TIMESTAMP at column 7/],
    ['<13>1 2003-10-11T22:14:15 h a - - - m', /TIMESTAMP/],
    ['<13>1 2003-13-11T22:14:15Z h a - - - m', /TIMESTAMP/],
    ['<13>1 2003-10-11T22:14:15Z host', /the header ends in HOSTNAME at column 28/],
    ['<13>1 - h a - -', /the header ends in MSGID/],
    ['<13>1 - h  a - - - m', /empty APP-NAME at column 11/],
    ['<13>1 - h a - - x m', /structured data must be "-"/],
    ['<13>1 - h a - - [a x="1', /unterminated value/],
    ['<13>1 - h a - - [a x="1"', /expected "\]" closing \[a at column 25/],
    ['<13>1 - h a - - [a x="1" m', /expected name="value" at column 26/],
    ['<13>1 - h a - - [a x=1] m', /expected name="value"/],
    ['<13>1 - h a - - [] m', /empty or invalid SD-ID/],
    ['<13>1 - h a - - [a]m', /expected a space or the end after STRUCTURED-DATA/],
  ];
  for (const [line, reason] of cases) {
    const r = parse(line, READ);
    t.notOk(r.ok, `refuses ${JSON.stringify(line)}`);
    if (!r.ok) t.match(r.reason, reason);
  }
});

t.test('JSON lines: default and configured field names', async (t) => {
  const parse = createJsonLinesParser();
  const cases: Array<[string, string, Partial<ParsedLogRecord>]> = [
    ['pino', '{"level":50,"time":1741608000000,"pid":77,"hostname":"gw01","name":"api","msg":"db down"}',
      { timeMs: 1741608000000, severity: 'error', pid: 77, host: 'gw01', app: 'api', message: 'db down' }],
    ['severity/timestamp/message words', '{"severity":"WARN","timestamp":"2025-03-10T11:00:00Z","message":"disk 91%"}',
      { timeMs: utc('2025-03-10T11:00:00Z'), severity: 'warning', message: 'disk 91%' }],
    ['epoch seconds with a fraction (zap, structlog)', '{"level":"info","ts":1741608000.5,"msg":"x"}', { timeMs: 1741608000500, severity: 'info' }],
    ['epoch nanoseconds', '{"time":1741608000123456789,"msg":"x"}', { timeMs: 1741608000123 }],
    ['ECS nested level and @timestamp', '{"@timestamp":"2025-03-10T11:00:00.000Z","log":{"level":"error"},"message":"boom"}',
      { timeMs: utc('2025-03-10T11:00:00Z'), severity: 'error', message: 'boom' }],
    ['a date string Date.parse understands', '{"time":"Mon, 10 Mar 2025 11:00:00 GMT","msg":"x"}', { timeMs: utc('2025-03-10T11:00:00Z') }],
    ['no message field: the whole line', '{"event":"door_open","zone":3}', { message: '{"event":"door_open","zone":3}', timeMs: READ, severity: undefined }],
    ['a non-string message is kept as JSON', '{"msg":{"code":7}}', { message: '{"code":7}' }],
    ['an unparseable time: the read time', '{"time":"soon","msg":"x"}', { timeMs: READ }],
    ['an unknown level: no severity', '{"level":"constructor","msg":"x"}', { severity: undefined }],
    ['__proto__ keys are plain data', '{"__proto__":{"msg":"evil"},"msg":"ok"}', { message: 'ok' }],
    ['leading whitespace', '  {"msg":"x"}', { message: 'x' }],
  ];
  for (const [name, line, want] of cases) {
    const rec = parsed(parse(line, READ));
    for (const [k, v] of Object.entries(want)) t.same(rec[k as keyof ParsedLogRecord], v, `${name}: ${k}`);
  }
  const custom = createJsonLinesParser({ messageField: 'text', levelField: 'prio', timeField: 'at' });
  const rec = parsed(custom('{"text":"t","prio":3,"at":"2025-03-10T11:00:00Z","msg":"not this"}', READ));
  t.same([rec.message, rec.severity, rec.timeMs], ['t', 'error', utc('2025-03-10T11:00:00Z')], 'configured names win');
});

t.test('JSON lines: garbage is refused', async (t) => {
  const parse = createJsonLinesParser();
  for (const [line, reason] of [
    ['not json', /must be an object starting with "\{"/],
    ['{"a":', /not valid JSON/],
    ['[1,2]', /must be an object starting/],
    ['"str"', /must be an object starting/],
    ['{"a":1} trailing', /not valid JSON/],
    ['', /must be an object/],
  ] as Array<[string, RegExp]>) {
    const r = parse(line, READ);
    t.notOk(r.ok, `refuses ${JSON.stringify(line)}`);
    if (!r.ok) t.match(r.reason, reason);
  }
});

t.test('regex and plain formats', async (t) => {
  const parse = createParser({ format: 'regex', zone: 'utc', pattern: '^(?<time>\\S+) \\[(?<severity>\\w+)\\] (?<app>[\\w-]+)(?:\\[(?<pid>\\d+)\\])?: (?<message>.*)' });
  const rec = parsed(parse('2025-03-10T11:00:00Z [ERROR] pump-ctl[31]: pressure low\n  sensor 2', READ));
  t.same([rec.timeMs, rec.severity, rec.app, rec.pid, rec.message], [utc('2025-03-10T11:00:00Z'), 'error', 'pump-ctl', 31, 'pressure low\n  sensor 2']);
  const bsd = createParser({ format: 'regex', zone: 'utc', pattern: '^(?<time>\\w{3} +\\d+ [\\d:]+) (?<msg>.*)' });
  t.equal(parsed(bsd('Mar 10 11:00:00 hello', READ)).timeMs, utc('2025-03-10T11:00:00Z'), 'a BSD time in the time group');
  const r = parse('no match here', READ);
  t.notOk(r.ok);
  if (!r.ok) t.match(r.reason, /does not match/);
  t.same(parsed(createParser({ format: 'plain' })('anything at all', READ)), { timeMs: READ, message: 'anything at all', raw: 'anything at all' });
  t.throws(() => createParser({ format: 'regex' }), { code: 'FL_ERR_LOG_CONFIG' });
  t.throws(() => createParser({ format: 'regex', pattern: '(unclosed' }), { code: 'FL_ERR_LOG_PATTERN' });
});

t.test('levels map to syslog severity names', async (t) => {
  const cases: Array<[unknown, string | undefined]> = [
    [0, 'emergency'], [3, 'error'], [7, 'debug'], [8, undefined], [10, 'debug'], [30, 'info'], [40, 'warning'], [50, 'error'], [60, 'critical'],
    ['FATAL', 'critical'], ['panic', 'emergency'], ['Warn', 'warning'], ['err', 'error'], ['trace', 'debug'], ['notice', 'notice'],
    ['information', 'info'], ['', undefined], ['toString', undefined], [null, undefined], [true, undefined], [2.5, undefined],
  ];
  for (const [level, want] of cases) t.equal(severityFromLevel(level), want, `${JSON.stringify(level)} → ${String(want)}`);
});
