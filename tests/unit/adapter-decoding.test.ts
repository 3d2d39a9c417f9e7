import t from 'tap';
import { adapterById, registerByName } from '../../firmware-adapters/index.js';
import { decodeRegister, encodeRegister } from '../../firmware-adapters/register-codec.js';

/** [adapter, register, words as the device sends them, engineering value] */
const cases: Array<[string, string, number[], number]> = [
  // PLC: bits, raw words, a CDAB 32-bit diagnostic word, scaled integers
  ['generic-plc', 'di_estop_ok', [1], 1],
  ['generic-plc', 'digital_inputs', [0x8005], 0x8005],
  ['generic-plc', 'diagnostic_word', [0x0011, 0x8000], 0x8000_0011],
  ['generic-plc', 'diagnostic_word', [0x0000, 0x0002], 0x0002_0000],
  ['generic-plc', 'scan_time', [123], 12.3],
  ['generic-plc', 'cabinet_temperature', [0xff9c], -10],
  ['generic-plc', 'supply_voltage', [2412], 24.12],
  // Meter: float32 in CDAB (word-swapped) order, a CDAB uint32 with a scale
  ['three-phase-meter', 'voltage_l1', [0x8000, 0x4366], 230.5],
  ['three-phase-meter', 'current_l2', [0x0000, 0x4228], 42],
  ['three-phase-meter', 'power_factor', [0x147b, 0x3f6e], 0.93],
  ['three-phase-meter', 'frequency', [0x0000, 0x4248], 50],
  ['three-phase-meter', 'energy_import', [0xd687, 0x0012], 123456.7],
  ['three-phase-meter', 'alarm_status', [0x0405], 0x0405],
  // Temperature controller: signed tenths, the sensor-break sentinel
  ['temperature-controller', 'pv', [1805], 180.5],
  ['temperature-controller', 'pv', [0xff83], -12.5],
  ['temperature-controller', 'pv', [0x7fff], 3276.7],
  ['temperature-controller', 'output', [1000], 100],
  ['temperature-controller', 'status_word', [0x0001], 1],
  // Gateway: signed dBm, a CDAB error counter
  ['linux-gateway', 'uplink_rssi', [0xffb1], -79],
  ['linux-gateway', 'serial_errors', [0x1170, 0x0001], 70000],
  ['linux-gateway', 'board_temperature', [512], 51.2],
];

t.test('each new adapter decodes its registers (type, word order, scale)', async (t) => {
  for (const [id, name, words, want] of cases) {
    const def = registerByName(adapterById(id), name);
    if (!def) { t.fail(`${id} has no register ${name}`); continue; }
    const got = decodeRegister(def, words);
    t.ok(Math.abs(got - want) <= Math.abs(want) * 1e-6 + 1e-9, `${id} ${name} [${words.map((w) => w.toString(16)).join(' ')}] = ${want} (got ${got})`);
    if (def.type !== 'float32') t.same(encodeRegister(def, want), words, `${id} ${name} encodes back to the same words`);
  }
});
