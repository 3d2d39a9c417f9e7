/** Log records → faults through the adapter's log patterns; raise on first match, clear after quiet; the validator's rules. */
import t from 'tap';
import { initialLogFaultState, LogMatcher, nextLogClearMs, restoreLogFaultState, stepLogFaults, type LogFaultState, type LogMatch } from '../../agent/core/log-matcher.js';
import type { ParsedLogRecord } from '../../agent/core/log-parsers/index.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import type { LogPattern } from '../../firmware-adapters/schema.js';
import { validateAdapter } from '../../firmware-adapters/validate.js';

const rec = (message: string, extra: Partial<ParsedLogRecord> = {}): ParsedLogRecord => ({ timeMs: 0, message, raw: message, ...extra });

t.test('the drive adapter\'s log patterns', async (t) => {
  const m = new LogMatcher(vfd.logPatterns ?? []);
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['E012 DC bus overvoltage during decel', 'vfd.log_e012', 'Drive trip E012: DC bus overvoltage during decel'],
    ['E007 Output phase loss U\n  phase current U=0.0 A', 'vfd.log_e007', 'Drive trip E007: Output phase loss U'],
    ['W031 Fan speed low (2150 rpm)', 'vfd.log_w031', 'Drive warning W031: Fan speed low (2150 rpm)'],
    ['sto input A open', 'vfd.safe_torque_off', 'Safe torque off active: the drive cannot run'],
    ['STO channel open', 'vfd.safe_torque_off', 'Safe torque off active: the drive cannot run'],
    ['Parameter P1.02 changed', undefined, undefined],
    ['E12 too short a code', undefined, undefined],
    ['Reset E012 acknowledged', undefined, undefined],
  ];
  for (const [message, code, text] of cases) {
    const hit = m.match(rec(message));
    t.equal(hit?.fault.code, code, `${JSON.stringify(message)} → ${String(code)}`);
    t.equal(hit?.fault.message, text);
  }
  const hit = m.match(rec('E012 DC bus overvoltage during decel', { app: 'vfd-gw', host: 'line3' }));
  t.same(hit?.labels, { num: '012', text: 'DC bus overvoltage during decel', app: 'vfd-gw', host: 'line3', pattern: 'trip' });
  t.equal(hit?.fault.severity, 'major');
  t.equal(hit?.fault.category, 'hardware');
  t.match(hit?.fault.remedy, /E-codes/);
  t.equal(hit?.clearAfterMs, 300_000, 'the default quiet time');
  t.equal(m.match(rec('W031 x'))?.clearAfterMs, 600_000);
});

t.test('templates, app filter and first-match order', async (t) => {
  const patterns: LogPattern[] = [
    { id: 'io', pattern: 'I/O error, dev (?<dev>\\S+), sector (?<sector>\\d+)', app: '^kernel$', code: 'gw.io_error_${dev}', category: 'hardware', severity: 'major',
      message: 'Disk I/O error on ${dev} (sector ${sector})', remedy: 'Replace the disk.' },
    { id: 'any-error', pattern: 'error', ignoreCase: true, code: 'gw.error', category: 'software', severity: 'minor', message: 'An error was logged', remedy: 'Look at the excerpt.' },
  ];
  const m = new LogMatcher(patterns);
  const io = m.match(rec('blk_update_request: I/O error, dev sda1/Part-2, sector 123456', { app: 'kernel' }));
  t.equal(io?.fault.code, 'gw.io_error_sda1_part_2', 'group values in a code are lower-cased and reduced to a-z 0-9 _');
  t.equal(io?.fault.message, 'Disk I/O error on sda1/Part-2 (sector 123456)', 'messages keep the value as is');
  t.equal(m.match(rec('I/O error, dev sda, sector 1', { app: 'smartd' }))?.patternId, 'any-error', 'the app filter skips the first pattern');
  t.equal(m.match(rec('I/O error, dev sda, sector 1'))?.patternId, 'any-error', 'a record without app does not pass an app filter');
  t.equal(m.match(rec('all fine')), undefined);
  t.throws(() => new LogMatcher([{ ...patterns[1]!, pattern: '(' }]), { code: 'FL_ERR_LOG_PATTERN' });
});

t.test('raise on the first match, refresh on later ones, clear after clearAfterMs of quiet', async (t) => {
  const m = new LogMatcher([
    { id: 'e', pattern: '^E(?<num>\\d{3})', code: 'x.e${num}', category: 'hardware', severity: 'major', message: 'E${num}', remedy: 'r', clearAfterMs: 1000 },
  ]);
  const match = (msg: string): LogMatch => m.match(rec(msg))!;
  const steps: Array<[number, string[], string[]]> = [
    [0, ['E001'], ['raise x.e001']],
    [500, ['E001'], []],
    [1400, [], []],
    [1499, ['E002'], ['raise x.e002']],
    [1500, [], ['clear x.e001']],
    [2498, [], []],
    [2499, [], ['clear x.e002']],
    [2499, ['E001'], ['raise x.e001']],
    [3498, [], []],
    [3499, [], ['clear x.e001']],
    [9000, [], []],
  ];
  let state: LogFaultState = initialLogFaultState();
  for (const [now, msgs, want] of steps) {
    const step = stepLogFaults(state, msgs.map(match), now);
    state = step.state;
    t.same(step.transitions.map((x) => `${x.transition} ${x.fault.code}`), want, `t=${now} ${msgs.join(',') || '(quiet)'}`);
    for (const x of step.transitions) t.equal(x.source, 'log');
  }
  const s1 = stepLogFaults(initialLogFaultState(), [match('E005'), match('E005'), match('E005')], 0);
  t.equal(s1.transitions.length, 1, 'three matches at once raise once');
  t.same(s1.transitions[0]?.labels, { num: '005', pattern: 'e' });
  t.equal(nextLogClearMs(s1.state), 1000);
  t.equal(nextLogClearMs(initialLogFaultState()), undefined);
  const cleared = stepLogFaults(s1.state, [], 1000).transitions[0];
  t.same(cleared?.labels, { num: '005', pattern: 'e', matches: '3' }, 'a clear says how many matches the fault saw');
});

t.test('active log faults survive a restart as plain JSON; garbage is dropped', async (t) => {
  const m = new LogMatcher(vfd.logPatterns ?? []);
  const { state } = stepLogFaults(initialLogFaultState(), [m.match(rec('E012 DC bus overvoltage'))!], 100);
  const restored = restoreLogFaultState(JSON.parse(JSON.stringify(state.active)));
  t.same(restored, state);
  t.same(stepLogFaults(restored, [m.match(rec('E012 again'))!], 200).transitions, [], 'no second raise after restart');
  t.same(restoreLogFaultState({ 'a.b': { fault: { code: 'other' } }, 'c.d': null, 'e.f': 7 }), { active: {} });
  t.same(restoreLogFaultState('nope'), { active: {} });
  t.same(restoreLogFaultState(undefined), { active: {} });
});

t.test('the validator checks log patterns with their paths', async (t) => {
  t.same(validateAdapter(vfd), [], 'the drive adapter is valid');
  const broken = structuredClone(vfd) as unknown as Record<string, unknown>;
  broken.logPatterns = [
    { id: 'ok', pattern: 'fine', code: 'vfd.fine_from_log', category: 'hardware', severity: 'major', message: 'm', remedy: 'r' },
    { id: 'bad-regex', pattern: '(unclosed', code: 'vfd.b', category: 'hardware', severity: 'major', message: 'm', remedy: 'r' },
    { id: 'bad-group', pattern: '(?<num>\\d+)', code: 'vfd.e${nmu}', category: 'hardware', severity: 'major', message: 'E${other}', remedy: 'r' },
    { id: 'ok', pattern: 'x', code: 'vfd.overcurrent', category: 'weather', severity: 'apocalyptic', message: '', remedy: 'r', clearAfterMs: 5 },
    { id: 'Bad Id', pattern: 'x', app: '[', code: 'NoDots', category: 'hardware', severity: 'major', message: 'm', remedy: 'r', ignoreCase: 'yes' },
    'not an object',
  ];
  const problems = validateAdapter(broken);
  const has = (path: string, msg: RegExp): void => {
    t.ok(problems.some((p) => p.path === path && msg.test(p.message)), `${path}: ${msg}`);
  };
  has('logPatterns[1].pattern', /not a valid regular expression/);
  has('logPatterns[2].code', /\$\{nmu\} is not a named group/);
  has('logPatterns[2].message', /\$\{other\} is not a named group/);
  has('logPatterns[3].id', /duplicate log pattern id "ok"/);
  has('logPatterns[3].code', /duplicate fault code "vfd.overcurrent"/);
  has('logPatterns[3].category', /must be one of/);
  has('logPatterns[3].severity', /must be one of/);
  has('logPatterns[3].message', /non-empty/);
  has('logPatterns[3].clearAfterMs', /integer from 1000/);
  has('logPatterns[4].id', /must match/);
  has('logPatterns[4].app', /not a valid regular expression/);
  has('logPatterns[4].code', /must match/);
  has('logPatterns[4].ignoreCase', /true or false/);
  has('logPatterns[5]', /must be an object/);
  t.notOk(problems.some((p) => p.path.startsWith('logPatterns[0]')), 'a good pattern reports nothing');
  t.same(validateAdapter({ ...vfd, logPatterns: 'x' }).map((p) => p.path), ['logPatterns']);
  const noLogs: Record<string, unknown> = { ...vfd };
  delete noLogs.logPatterns;
  t.same(validateAdapter(noLogs), [], 'log patterns are optional');
  const kb = structuredClone(vfd) as unknown as { knowledge: Array<{ code: string }> };
  kb.knowledge.push({ ...kb.knowledge[0]!, code: 'vfd.safe_torque_off' });
  t.same(validateAdapter(kb), [], 'a knowledge entry may refer to a fixed log fault code');
});
