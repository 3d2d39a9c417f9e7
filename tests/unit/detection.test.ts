import t from 'tap';
import { COMM_LOSS_FAULT, detect, detectComm, initialDetectorState, type DetectorState } from '../../agent/core/detection.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
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
