import t from 'tap';
import { COMM_LOSS_FAULT, detect, detectComm, initialDetectorState, type DetectOptions, type DetectorState } from '../../agent/core/detection.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import type { Adapter, FaultDef } from '../../firmware-adapters/schema.js';
import plc from '../../firmware-adapters/devices/generic-plc.js';
import gateway from '../../firmware-adapters/devices/linux-gateway.js';
import { describeDetection, describeSystemDetection } from '../../agent/core/detection-summary.js';
import { DEFAULT_SYSTEM_DETECTION } from '../../agent/core/system-detection.js';
import type { Sample } from '../../protocol/values.js';

const samples = (values: Record<string, number>, timeMs: number, quality: Sample['quality'] = 'good'): Map<string, Sample> =>
  new Map(Object.entries(values).map(([parameter, value]) => [parameter, { parameter, value, quality, timeMs }]));

function feed(series: Array<[number, Record<string, number>]>): string[] {
  let state: DetectorState = initialDetectorState();
  const out: string[] = [];
  for (const [time, values] of series) {
    const r = detect(vfd, state, samples(values, time), time);
    state = r.state;
    out.push(...r.transitions.map((x) => `${x.transition} ${x.fault.code}`));
  }
  return out;
}

t.test('fault-code register: raise on a code, clear on 0, clear+raise on a change', async (t) => {
  t.same(feed([[0, { fault_code: 0 }], [1, { fault_code: 1 }], [2, { fault_code: 1 }], [3, { fault_code: 0 }]]), ['raise vfd.overcurrent', 'clear vfd.overcurrent']);
  t.same(feed([[0, { fault_code: 1 }], [1, { fault_code: 4 }]]), ['raise vfd.overcurrent', 'clear vfd.overcurrent', 'raise vfd.overtemperature']);
  t.same(feed([[0, { fault_code: 77 }], [1, { fault_code: 0 }]]), ['raise generic-vfd.unknown_77', 'clear generic-vfd.unknown_77'], 'unknown codes are still reported');
});

t.test('a raise carries the table\'s category, severity, remedy and related parameters', async (t) => {
  const r = detect(vfd, initialDetectorState(), samples({ fault_code: 6 }, 0), 0);
  const [tr] = r.transitions;
  t.equal(tr?.fault.code, 'vfd.earth_fault');
  t.equal(tr?.fault.severity, 'critical');
  t.equal(tr?.fault.category, 'hardware');
  t.match(tr?.fault.remedy, /Megger/);
  t.ok(tr?.related.includes('motor_current'));
  t.same(tr?.labels, { register: 'fault_code', value: '6' });
});

t.test('threshold rule from the adapter, with hysteresis', async (t) => {
  t.same(feed([[0, { heatsink_temperature: 85 }], [1000, { heatsink_temperature: 85 }], [2000, { heatsink_temperature: 85 }], [3000, { heatsink_temperature: 77 }], [6000, { heatsink_temperature: 74 }], [8000, { heatsink_temperature: 74 }]]),
    ['raise vfd.heatsink_hot', 'clear vfd.heatsink_hot']);
});

t.test('samples of bad quality are not judged', async (t) => {
  const r = detect(vfd, initialDetectorState(), samples({ fault_code: 1 }, 0, 'bad'), 0);
  t.same(r.transitions, []);
});

t.test('comm loss after N consecutive failures, cleared by the first answer', async (t) => {
  let s = initialDetectorState();
  const seen: string[] = [];
  for (const ok of [false, false, true, false, false, false, false, true, true]) {
    const r = detectComm(s, ok, 3);
    s = r.state;
    seen.push(...r.transitions.map((x) => `${x.transition} ${x.fault.code}`));
  }
  t.same(seen, [`raise ${COMM_LOSS_FAULT.code}`, `clear ${COMM_LOSS_FAULT.code}`]);
  t.equal(COMM_LOSS_FAULT.category, 'link');
});

// --- a small adapter for the rule kinds the drive does not use --------------------------------

const unknownDef = { category: 'hardware', severity: 'minor', remedy: 'Read the manual.' } as const;
const fault = (code: string): FaultDef => ({ code, category: 'hardware', severity: 'major', message: code, remedy: 'Fix it.' });
const rig: Adapter = {
  ...vfd, id: 'rig', thresholds: [],
  faultTables: [{
    kind: 'bitfield', register: 'diag', mask: 0x7fff_ffff, related: ['diag'], unknown: unknownDef,
    codes: { 0: fault('rig.battery'), 3: fault('rig.bus'), 30: fault('rig.high_bit') },
  }],
  rules: [
    { ...fault('rig.temp_rising'), kind: 'rate', parameter: 'temp', direction: 'rising', limitPerS: 2, deadbandPerS: 0.5, windowMs: 4000, onDelayMs: 0, offDelayMs: 0, related: ['temp'] },
    { ...fault('rig.flow_frozen'), kind: 'stuck', parameter: 'flow', epsilon: 0.01, afterMs: 3000, when: { parameter: 'running', op: 'eq', value: 1 }, related: ['flow'] },
  ],
};

function run(adapter: Adapter, series: Array<[number, Record<string, number>]>, opts: DetectOptions = { chatter: false }): string[] {
  let state: DetectorState = initialDetectorState();
  const out: string[] = [];
  for (const [time, values] of series) {
    const r = detect(adapter, state, samples(values, time), time, opts);
    state = r.state;
    out.push(...r.transitions.map((x) => `${x.transition} ${x.fault.code}@${time}`));
  }
  return out;
}

t.test('bitfield register: each bit raises and clears on its own', async (t) => {
  const cases: Array<[string, Array<[number, Record<string, number>]>, string[]]> = [
    ['one bit set then cleared', [[0, { diag: 0 }], [1, { diag: 0b1 }], [2, { diag: 0b1 }], [3, { diag: 0 }]], ['raise rig.battery@1', 'clear rig.battery@3']],
    ['two bits at once, cleared one by one', [[0, { diag: 0b1001 }], [1, { diag: 0b1000 }], [2, { diag: 0 }]],
      ['raise rig.battery@0', 'raise rig.bus@0', 'clear rig.battery@1', 'clear rig.bus@2']],
    ['a bit that clears while another sets: clear first', [[0, { diag: 0b1 }], [1, { diag: 0b1000 }]], ['raise rig.battery@0', 'clear rig.battery@1', 'raise rig.bus@1']],
    ['an unlisted bit raises the unknown fault of its table', [[0, { diag: 0b100 }], [1, { diag: 0 }]], ['raise rig.diag.bit_2@0', 'clear rig.diag.bit_2@1']],
    ['bits outside the mask (status bits) are ignored', [[0, { diag: 0x8000_0000 }], [1, { diag: 0x8000_0001 }], [2, { diag: 0x8000_0000 }]], ['raise rig.battery@1', 'clear rig.battery@2']],
    ['high bits of a 32-bit word', [[0, { diag: 0x4000_0000 }], [1, { diag: 0 }]], ['raise rig.high_bit@0', 'clear rig.high_bit@1']],
  ];
  for (const [name, series, want] of cases) t.same(run(rig, series), want, name);
  const r = detect(rig, initialDetectorState(), samples({ diag: 0b1000 }, 0), 0, { chatter: false });
  t.same(r.transitions[0]?.labels, { register: 'diag', bit: '3' }, 'the event names the register and the bit');
  t.same(detect(rig, initialDetectorState(), samples({ diag: 1 }, 0, 'stale'), 0).transitions, [], 'stale samples are not judged');
});

t.test('rate of change from the adapter, with a matching clear', async (t) => {
  const ramp = (from: number, perS: number, t0: number, t1: number): Array<[number, Record<string, number>]> => {
    const out: Array<[number, Record<string, number>]> = [];
    for (let time = t0; time <= t1; time += 1000) out.push([time, { temp: from + (perS * (time - t0)) / 1000 }]);
    return out;
  };
  const cases: Array<[string, Array<[number, Record<string, number>]>, string[]]> = [
    ['a steady value raises nothing', ramp(50, 0, 0, 10_000), []],
    ['a slow rise (1/s) raises nothing', ramp(50, 1, 0, 10_000), []],
    ['a fast rise (3/s) raises once half the window is covered', ramp(50, 3, 0, 6000), ['raise rig.temp_rising@2000']],
    ['a fast fall does not count for a rising rule', ramp(50, -3, 0, 6000), []],
    ['rise then level: clears when the slope is below limit - deadband', [...ramp(50, 3, 0, 5000), ...ramp(65, 0, 6000, 12_000)],
      ['raise rig.temp_rising@2000', 'clear rig.temp_rising@7000']],
  ];
  for (const [name, series, want] of cases) t.same(run(rig, series), want, name);
});

t.test('stuck value from the adapter, judged only while its condition holds', async (t) => {
  const cases: Array<[string, Array<[number, Record<string, number>]>, string[]]> = [
    ['frozen while running: raise after afterMs, clear when it moves', [
      [0, { flow: 5, running: 1 }], [1000, { flow: 5, running: 1 }], [3000, { flow: 5.005, running: 1 }], [4000, { flow: 6, running: 1 }],
    ], ['raise rig.flow_frozen@3000', 'clear rig.flow_frozen@4000']],
    ['a value that moves is never stuck', [[0, { flow: 5, running: 1 }], [2000, { flow: 5.1, running: 1 }], [4000, { flow: 5.2, running: 1 }], [6000, { flow: 5.3, running: 1 }]], []],
    ['frozen while stopped is normal', [[0, { flow: 0, running: 0 }], [5000, { flow: 0, running: 0 }], [10_000, { flow: 0, running: 0 }]], []],
    ['stopping clears an active stuck fault', [[0, { flow: 5, running: 1 }], [3000, { flow: 5, running: 1 }], [4000, { flow: 5, running: 0 }]],
      ['raise rig.flow_frozen@3000', 'clear rig.flow_frozen@4000']],
    ['without a sample of the condition the rule waits', [[0, { flow: 5, running: 1 }], [3000, { flow: 5 }], [4000, { flow: 5, running: 1 }]], ['raise rig.flow_frozen@4000']],
  ];
  for (const [name, series, want] of cases) t.same(run(rig, series), want, name);
});

t.test('a threshold with a condition clears when the condition stops holding', async (t) => {
  const gated: Adapter = { ...vfd, faultTables: [], rules: [], thresholds: [{ ...vfd.thresholds[0]!, onDelayMs: 0, offDelayMs: 0, when: { parameter: 'run_state', op: 'eq', value: 1 } }] };
  t.same(run(gated, [[0, { heatsink_temperature: 90, run_state: 0 }], [1, { heatsink_temperature: 90, run_state: 1 }], [2, { heatsink_temperature: 90, run_state: 0 }]]),
    ['raise vfd.heatsink_hot@1', 'clear vfd.heatsink_hot@2']);
});

t.test('a chattering fault code becomes one chattering event, and raise/clear stay matched', async (t) => {
  const flips: Array<[number, Record<string, number>]> = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1].map((v, i) => [i * 5000, { fault_code: v }]);
  const calm: Array<[number, Record<string, number>]> = [[120_000, { fault_code: 1 }], [130_000, { fault_code: 1 }]];
  const seen = run(vfd, [...flips, ...calm], {});
  t.same(seen, [
    'raise vfd.overcurrent@5000', 'clear vfd.overcurrent@10000', 'raise vfd.overcurrent@15000', 'clear vfd.overcurrent@20000',
    'raise vfd.overcurrent.chattering@25000',
    'clear vfd.overcurrent.chattering@120000', 'raise vfd.overcurrent@120000',
  ]);
  t.same(run(vfd, [...flips, ...calm], { chatter: false }).length, 9, 'without suppression every flip is reported (5 raises, 4 clears)');
});

t.test('comm loss that keeps dropping is reported as chattering when time is given', async (t) => {
  let s = initialDetectorState();
  const seen: string[] = [];
  let time = 0;
  for (const ok of [false, true, false, true, false, true, false, true]) {
    const r = detectComm(s, ok, 1, (time += 1000));
    s = r.state;
    seen.push(...r.transitions.map((x) => `${x.transition} ${x.fault.code}`));
  }
  const code = COMM_LOSS_FAULT.code;
  t.same(seen, [`raise ${code}`, `clear ${code}`, `raise ${code}`, `clear ${code}`, `raise ${code}.chattering`]);
  t.equal(s.chatter.counters.episodes, 1);
  t.ok(s.chatter.counters.suppressed >= 3, 'the held-back flips are counted');
});

t.test('agent check can list what every adapter watches', async (t) => {
  const plcLines = describeDetection(plc);
  t.ok(plcLines.some((l) => /^watch diagnostic_word: bitfield, 13 fault bits \(mask 0x307ff\)$/.test(l)));
  t.ok(plcLines.some((l) => /^watch cycle_counter stuck within 0 for 5000 ms while cpu_mode eq 1 -> plc\.program_halted$/.test(l)));
  t.ok(describeDetection(gateway).some((l) => l.startsWith('watch logs /Out of memory')));
  t.same(describeSystemDetection({ ...DEFAULT_SYSTEM_DETECTION, processes: ['nginx'] }), [
    'watch disk use per mount above 90% (clear at 85%, on 0 ms)',
    'watch process nginx is running (down after 0 ms)',
    'watch temperatures above 85 °C (clear at 75 °C, on 10000 ms)',
  ]);
});
