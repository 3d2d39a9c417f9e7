/**
 * A log source end to end on a real file: tail → hygiene → multi-line → parse → match → raise
 * with the lines before it, clear after quiet; counters; restart keeps positions and active faults.
 * The clock is fake (records, flush and clear times); only the file polling is real.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import type { LogFaultTransition } from '../../agent/core/log-matcher.js';
import type { ParsedLogRecord } from '../../agent/core/log-parsers/index.js';
import { LogSource, logStatePath, type LogFileConfig } from '../../agent/sources/log-source.js';
import { CLIP_MARK } from '../../agent/sources/line-splitter.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface Run {
  source: LogSource;
  records: ParsedLogRecord[];
  transitions: LogFaultTransition[];
}

const clock = { ms: Date.parse('2025-03-10T12:00:00Z') };

function run(t: Test, dir: string, file: Partial<LogFileConfig> = {}): Run {
  const records: ParsedLogRecord[] = [];
  const transitions: LogFaultTransition[] = [];
  const source = new LogSource({
    file: { path: join(dir, 'drive.log'), format: 'syslog3164', zone: 'utc', ...file },
    patterns: vfd.logPatterns ?? [], statePath: logStatePath(join(dir, 'state'), join(dir, 'drive.log')),
    log: silentLogger(), pollIntervalMs: 20, persistIntervalMs: 0, excerptLines: 3, now: () => clock.ms,
    onEmit: (r, tr) => { records.push(...r); transitions.push(...tr); },
  });
  t.teardown(() => source.stop());
  return { source, records, transitions };
}

const gw = (time: string, msg: string): string => `Mar 10 ${time} line3 vfd-gw[212]: ${msg}`;

t.test('records, a raise with its excerpt, bad lines counted, clear after quiet', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const path = join(dir.path, 'drive.log');
  writeFileSync(path, '');
  const r = run(t, dir.path);
  await r.source.start();
  appendFileSync(path, [
    gw('11:59:00', 'drive 3 accelerating to 50.00 Hz'),
    gw('11:59:01', 'E012 DC bus overvoltage during decel'),
    gw('11:59:02', 'trip handler failed'),
    '\tat gw.Trip.handle(Trip.java:10)',
    'Caused by: java.io.IOException: bus',
    '\u0000\u0001\u00ff\u00fe garbage from a torn write',
    gw('11:59:03', 'z'.repeat(20_000)),
    '',
    gw('11:59:04', 'E012 DC bus overvoltage during decel'),
    'not a syslog line at all',
    gw('11:59:05', 'last line'),
  ].join('\n') + '\n');
  await waitFor('six records', () => (r.records.length >= 6 ? true : undefined));
  t.equal(r.records.length, 6, 'the last record waits for its continuation lines or the flush time');
  clock.ms += 1000;
  await waitFor('the flushed last record', () => (r.records.length >= 7 ? true : undefined));

  t.same(r.records.map((x) => x.message.slice(0, 30)), [
    'drive 3 accelerating to 50.00 ', 'E012 DC bus overvoltage during', 'trip handler failed\n\tat gw.Tri',
    'z'.repeat(30), 'E012 DC bus overvoltage during', 'not a syslog line at all', 'last line',
  ]);
  t.same([r.records[1]?.host, r.records[1]?.app, r.records[1]?.pid, r.records[1]?.timeMs], ['line3', 'vfd-gw', 212, Date.parse('2025-03-10T11:59:01Z')]);
  t.equal(r.records[2]?.message, 'trip handler failed\n\tat gw.Trip.handle(Trip.java:10)\nCaused by: java.io.IOException: bus', 'the stack trace is one record');
  t.equal(Buffer.byteLength(r.records[3]!.raw), 16_384 + Buffer.byteLength(CLIP_MARK), 'the over-long line is cut at 16 KiB and marked');
  t.ok(r.records[3]!.raw.endsWith(CLIP_MARK));
  t.equal(r.records[5]?.timeMs, clock.ms - 1000, 'an unparsed line is kept as plain text at the read time');

  t.equal(r.transitions.length, 1, 'the second E012 does not raise again');
  const raise = r.transitions[0]!;
  t.same([raise.transition, raise.source, raise.fault.code, raise.fault.severity], ['raise', 'log', 'vfd.log_e012', 'major']);
  t.equal(raise.fault.message, 'Drive trip E012: DC bus overvoltage during decel');
  t.same(raise.labels, { num: '012', text: 'DC bus overvoltage during decel', app: 'vfd-gw', host: 'line3', pattern: 'trip', file: join(dir.path, 'drive.log') });
  t.same(raise.excerpt, [gw('11:59:00', 'drive 3 accelerating to 50.00 Hz'), gw('11:59:01', 'E012 DC bus overvoltage during decel')], 'the lines up to and including the match');
  t.same(r.source.counters(), {
    ...r.source.counters(),
    linesRead: 11, recordsParsed: 6, parseErrors: 1, binarySkipped: 1, replacedLines: 0, truncated: 1, matches: 2, raised: 1, cleared: 0,
  });
  t.same(r.source.recentLines(2), ['not a syslog line at all', gw('11:59:05', 'last line')]);

  clock.ms += 300_000;
  await waitFor('the clear after five quiet minutes', () => (r.transitions.length >= 2 ? true : undefined));
  const clear = r.transitions[1]!;
  t.same([clear.transition, clear.fault.code, clear.labels.matches, clear.excerpt], ['clear', 'vfd.log_e012', '2', []]);
  t.same(r.source.activeFaults(), []);
});

t.test('a restart resumes the position and the active faults: no line twice, no second raise', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const path = join(dir.path, 'drive.log');
  writeFileSync(path, '');
  const first = run(t, dir.path);
  await first.source.start();
  appendFileSync(path, `${gw('12:00:00', 'W031 Fan speed low (2150 rpm)')}\npending record\n`);
  await waitFor('the warning', () => (first.transitions.length >= 1 ? true : undefined));
  await first.source.stop();
  t.same(first.records.map((x) => x.message), ['W031 Fan speed low (2150 rpm)', 'pending record'], 'stop() hands out the pending record');

  appendFileSync(path, `${gw('12:00:05', 'W031 Fan speed low (2100 rpm)')}\n`);
  const second = run(t, dir.path);
  await second.source.start();
  t.same(second.source.activeFaults(), ['vfd.log_w031'], 'the active fault came back with the position');
  appendFileSync(path, `${gw('12:00:06', 'next')}\n`);
  await waitFor('the lines after the restart', () => (second.records.length >= 1 && second.source.counters().linesRead >= 2 ? true : undefined));
  t.equal(second.records[0]?.message, 'W031 Fan speed low (2100 rpm)', 'nothing read twice');
  t.same(second.transitions, [], 'still active: not raised again');
  clock.ms += 600_000;
  await waitFor('the clear', () => (second.transitions.length >= 1 ? true : undefined));
  t.same(second.transitions.map((x) => `${x.transition} ${x.fault.code}`), ['clear vfd.log_w031']);
});

t.test('a burst of binary garbage is skipped and counted; the lines after it still raise', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const path = join(dir.path, 'drive.log');
  writeFileSync(path, '');
  const r = run(t, dir.path);
  await r.source.start();
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const lines = Buffer.alloc(20_000, 0).map(() => random()); // random bytes: ~80 short garbage lines
  const endless = Buffer.alloc(200_000, 0).map(() => random() || 1).map((b) => (b === 10 ? 0 : b)); // one 200 KB line
  appendFileSync(path, Buffer.concat([lines, Buffer.from('\n'), endless]));
  appendFileSync(path, `\n${gw('12:01:00', 'E005 Motor overload')}\n${gw('12:01:01', 'next')}\n`);
  await waitFor('the raise after the garbage', () => (r.transitions.length >= 1 ? true : undefined));
  t.equal(r.transitions[0]?.fault.code, 'vfd.log_e005');
  const c = r.source.counters();
  t.ok(c.binarySkipped > 0, `binary lines skipped (${c.binarySkipped})`);
  t.equal(c.truncated, 1, 'the 200 KB line was cut at 16 KiB (and then skipped as binary)');
  t.equal(c.readErrors, 0);
});

t.test('JSON lines: no multi-line by default, configured field names', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const path = join(dir.path, 'drive.log');
  writeFileSync(path, '');
  const r = run(t, dir.path, { format: 'jsonl', json: { messageField: 'event' } });
  await r.source.start();
  appendFileSync(path, '{"event":"sto input B open","level":"error","ts":1741608000}\n  {"event":"indented is still a record"}\n');
  await waitFor('two records', () => (r.records.length >= 2 ? true : undefined));
  t.same(r.records.map((x) => [x.message, x.severity, x.timeMs]), [['sto input B open', 'error', 1741608000000], ['indented is still a record', undefined, clock.ms]]);
  t.same(r.transitions.map((x) => x.fault.code), ['vfd.safe_torque_off']);
});

t.test('configuration mistakes are clear errors', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  t.throws(() => run(t, dir.path, { format: 'regex' }), { code: 'FL_ERR_LOG_CONFIG' });
  t.throws(() => run(t, dir.path, { multiline: { startPattern: '([' } }), { code: 'FL_ERR_LOG_PATTERN', message: /multiline\.startPattern/ });
  const a = logStatePath('/var/lib/fl', '/var/log/syslog');
  t.equal(a, logStatePath('/var/lib/fl', '/var/log/syslog'), 'the state path is stable');
  t.not(a, logStatePath('/var/lib/fl', '/var/log/other/syslog'), 'and distinct per file');
  t.match(a, /^\/var\/lib\/fl\/log-offsets\/syslog-[0-9a-f]{12}\.json$/);
});
