/**
 * Log parsing throughput, lines per second on one core: RFC 3164, RFC 5424 and JSON lines
 * parsing alone, and the log source's whole in-memory path per line (line hygiene → multi-line
 * assembly → parse → adapter pattern match → recent-lines ring), and a real LogSource reading a
 * ~28 MB file from disk (tail, split, decode, all of the above). Target: ≥ 300,000 lines/s for
 * syslog and JSON lines. Prints figures; asserts nothing. Each figure runs for ~1.5 s.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../protocol/logger.js';
import { initialLogFaultState, LogMatcher, stepLogFaults } from '../../agent/core/log-matcher.js';
import { classifyLine, createParser, MultilineAssembler, plainRecord, type LogParser } from '../../agent/core/log-parsers/index.js';
import { RecentLines } from '../../agent/core/recent-lines.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import type { LogPattern } from '../../firmware-adapters/schema.js';
import { LogSource } from '../../agent/sources/log-source.js';
import { tempDir } from '../helpers/temp-dir.js';

const READ = Date.parse('2025-03-10T12:00:00Z');
const N = 4096;
const APPS = ['sshd', 'systemd', 'kernel', 'vfd-gw', 'CRON', 'dhclient', 'modbus-bridge'];
const MSGS = [
  'Accepted publickey for operator from 10.20.4.17 port 52144 ssh2: ED25519 SHA256:3f9c1e',
  'Started Session 4187 of user operator.',
  'eth1: Link is Up - 100Mbps/Full - flow control rx/tx',
  'drive 3 accelerating to 50.00 Hz, ramp 10.0 s, load 62 %',
  '(root) CMD (/usr/local/bin/rotate-buffers --max 200M)',
  'DHCPREQUEST for 10.20.4.31 on eth0 to 10.20.0.1 port 67',
  'poll cycle 128 registers in 14 ms, 0 retries, unit 1',
  'E012 DC bus overvoltage during decel',
];
const pick = <T>(a: readonly T[], i: number): T => a[i % a.length]!;
const pad = (n: number): string => String(n).padStart(2, '0');

const syslog3164 = Array.from({ length: N }, (_, i) =>
  `Mar ${pad(1 + (i % 9)).replace(/^0/, ' ')} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)} gw-line3 ${pick(APPS, i)}[${1000 + (i % 5000)}]: ${pick(MSGS, i)}`);
const syslog5424 = Array.from({ length: N }, (_, i) =>
  `<${(i % 24) * 8 + (i % 8)}>1 2025-03-10T${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)}.${String(i % 1000).padStart(3, '0')}Z gw-line3 ${pick(APPS, i)} ${1000 + i} ID${i % 50} `
  + (i % 3 === 0 ? `[meta@32473 seq="${i}" unit="1" src="bus\\]a"]` : '-') + ` ${pick(MSGS, i)}`);
const jsonl = Array.from({ length: N }, (_, i) => JSON.stringify({
  level: [30, 40, 50, 20][i % 4], time: READ - i * 1000, pid: 4242, hostname: 'gw-line3', name: pick(APPS, i), msg: pick(MSGS, i), reqId: `r-${i}`,
}));

/** Gateway-style patterns on top of the drive's, so matching is not a single cheap regex. */
const GATEWAY: LogPattern[] = [
  { id: 'oom', pattern: 'Out of memory: Killed process (?<pid>\\d+) \\((?<proc>[^)]+)\\)', code: 'gw.oom_kill', category: 'software', severity: 'major', message: 'OOM killed ${proc}', remedy: 'r' },
  { id: 'io', pattern: 'I/O error, dev (?<dev>\\w+), sector (?<sector>\\d+)', code: 'gw.io_error', category: 'hardware', severity: 'major', message: 'I/O error on ${dev}', remedy: 'r' },
  { id: 'link', pattern: '(?<ifc>eth\\d+): Link is Down', code: 'gw.link_down_${ifc}', category: 'link', severity: 'major', message: '${ifc} link down', remedy: 'r' },
  { id: 'segv', pattern: 'segfault at [0-9a-f]+ ip [0-9a-f]+', code: 'gw.segfault', category: 'software', severity: 'major', message: 'segfault', remedy: 'r' },
];

function rate(label: string, lines: readonly string[], perLine: (line: string, i: number) => void, seconds = 1.5): number {
  for (let i = 0; i < 20_000; i++) perLine(lines[i % lines.length]!, i); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < lines.length; i++) perLine(lines[i]!, n + i);
    n += lines.length;
  }
  const per = n / (Number(process.hrtime.bigint() - start) / 1e9);
  process.stdout.write(`${label.padEnd(52)} ${Math.round(per).toLocaleString('en-US').padStart(10)} lines/s${per >= 300_000 ? '' : '   (below the 300,000 target)'}\n`);
  return per;
}

function parseOnly(parser: LogParser): (line: string) => void {
  return (line) => {
    const r = parser(line, READ);
    if (!r.ok) throw new Error(`bench line did not parse: ${r.reason}: ${line}`);
  };
}

/** The LogSource's per-line work without the file: hygiene, multi-line, parse, match, fault state, ring. */
function fullPath(parser: LogParser, multiline: boolean): (line: string, i: number) => void {
  const matcher = new LogMatcher([...(vfd.logPatterns ?? []), ...GATEWAY]);
  const asm = multiline ? new MultilineAssembler<number>() : undefined;
  const ring = new RecentLines(200);
  let faults = initialLogFaultState();
  const handle = (text: string): void => {
    const r = parser(text, READ);
    const record = r.ok ? r.record : plainRecord(text, READ);
    ring.pushText(text);
    const m = matcher.match(record);
    if (m) faults = stepLogFaults(faults, [m], READ).state;
  };
  return (line, i) => {
    if (classifyLine(line) === 'binary') return;
    if (!asm) return handle(line);
    const rec = asm.push(line, i, READ);
    if (rec) handle(rec.text);
  };
}

/** A real LogSource reading a file written beforehand: lines/s including file reads, splitting and decoding. */
async function tailRate(lines: readonly string[], repeat: number): Promise<void> {
  const dir = tempDir('faultline-bench-');
  try {
    const path = join(dir.path, 'bench.log');
    const block = `${lines.join('\n')}\n`;
    writeFileSync(path, block.repeat(repeat));
    const total = lines.length * repeat;
    let records = 0;
    const source = new LogSource({
      file: { path, format: 'syslog3164', startAt: 'beginning' }, patterns: [...(vfd.logPatterns ?? []), ...GATEWAY],
      statePath: join(dir.path, 'state.json'), log: silentLogger(), pollIntervalMs: 5, watch: false,
      onEmit: (r) => { records += r.length; },
    });
    const start = process.hrtime.bigint();
    await source.start();
    while (source.counters().linesRead < total) await new Promise((r) => setTimeout(r, 2));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await source.stop();
    const per = total / seconds;
    process.stdout.write(`${'LogSource from a file, RFC 3164 (tail+all of it)'.padEnd(52)} ${Math.round(per).toLocaleString('en-US').padStart(10)} lines/s`
      + `  (${(Buffer.byteLength(block) * repeat / 1e6 / seconds).toFixed(0)} MB/s, ${records.toLocaleString('en-US')} records)\n`);
  } finally {
    dir.remove();
  }
}

export async function runLogParseBench(): Promise<void> {
  process.stdout.write(`log lines: ${N} distinct per format; RFC 3164 ~${Math.round(syslog3164.reduce((s, l) => s + l.length, 0) / N)} chars, `
    + `RFC 5424 ~${Math.round(syslog5424.reduce((s, l) => s + l.length, 0) / N)}, JSON ~${Math.round(jsonl.reduce((s, l) => s + l.length, 0) / N)}\n`);
  rate('parse RFC 3164', syslog3164, parseOnly(createParser({ format: 'syslog3164', zone: 'local' })));
  rate('parse RFC 5424 (a third with structured data)', syslog5424, parseOnly(createParser({ format: 'syslog5424' })));
  rate('parse JSON lines (pino)', jsonl, parseOnly(createParser({ format: 'jsonl' })));
  rate('full path RFC 3164 (+multi-line, 7 patterns)', syslog3164, fullPath(createParser({ format: 'syslog3164' }), true));
  rate('full path RFC 5424 (+multi-line, 7 patterns)', syslog5424, fullPath(createParser({ format: 'syslog5424' }), true));
  rate('full path JSON lines (7 patterns)', jsonl, fullPath(createParser({ format: 'jsonl' }), false));
  await tailRate(syslog3164, 75);
}

if (import.meta.url === `file://${process.argv[1]}`) await runLogParseBench();
