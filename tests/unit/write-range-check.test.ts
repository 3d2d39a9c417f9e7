/** The collector's check of a write against the catalogue the device announced. */
import t from 'tap';
import { writeRangeProblems } from '../../collector/core/devices/write-range-check.js';
import type { ParameterInfo } from '../../protocol/values.js';

const catalogue: ParameterInfo[] = [
  { name: 'speed', unit: 'rpm', description: '', writable: true, source: 'modbus', writeRange: { min: -100, max: 1500 } },
  { name: 'mode', unit: '', description: '', writable: true, source: 'modbus', writeRange: { min: 0, max: 3 } },
  { name: 'free', unit: 'V', description: '', writable: true, source: 'modbus' },
];

const cases: Array<[string, Array<{ name: string; value: number }>, string[]]> = [
  ['inside, bounds included', [{ name: 'speed', value: -100 }, { name: 'speed', value: 1500 }, { name: 'mode', value: 2 }], []],
  ['above the maximum, with the unit', [{ name: 'speed', value: 1500.5 }], ['"speed": 1500.5 rpm is outside -100–1500 rpm']],
  ['below the minimum, no unit', [{ name: 'mode', value: -1 }], ['"mode": -1 is outside 0–3']],
  ['every value outside is named', [{ name: 'mode', value: 9 }, { name: 'speed', value: 0 }, { name: 'speed', value: 2000 }],
    ['"mode": 9 is outside 0–3', '"speed": 2000 rpm is outside -100–1500 rpm']],
  ['no range announced: left to the agent', [{ name: 'free', value: 1e9 }], []],
  ['unknown to the catalogue: left to the agent', [{ name: 'ghost', value: 1 }], []],
];

for (const [name, values, expected] of cases) {
  t.test(name, async (t) => { t.same(writeRangeProblems(values, catalogue), expected); });
}
