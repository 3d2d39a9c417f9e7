import t from 'tap';
import { adapterById, registerByName } from '../../firmware-adapters/index.js';
import { decodeRegister, decodeRegisterAt, encodeRegister, writableRange } from '../../firmware-adapters/register-codec.js';
import type { RegisterDef } from '../../firmware-adapters/schema.js';

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
    // As the poller decodes it: in place, inside a block read with other words around it.
    t.equal(decodeRegisterAt(def, [0xdead, 0xbeef, ...words, 0xffff], 2), got, `${id} ${name} decodes the same at an offset in a block`);
  }
});

t.test('a word that is not 16 bits, or a block too short, is a decode error naming the register', async (t) => {
  const def = registerByName(adapterById('three-phase-meter'), 'voltage_l1')!;
  t.throws(() => decodeRegister(def, [0x8000]), { code: 'FL_ERR_MODBUS_DECODE', message: /voltage_l1: expected 2 words, got 1/ });
  t.throws(() => decodeRegister(def, [0x8000, 0x10000]), { code: 'FL_ERR_MODBUS_DECODE', message: /voltage_l1: word 0 is not a 16-bit value/ });
  t.throws(() => decodeRegisterAt(def, [1, 2, 3], 2), { code: 'FL_ERR_MODBUS_DECODE', message: /voltage_l1: word 0 is not a 16-bit value \(undefined\)/ });
});

t.test('writableRange: what the register holds after scale and offset, narrowed by the adapter', async (t) => {
  const reg = (over: Partial<RegisterDef>): RegisterDef => ({ name: 'x', table: 'holding', address: 0, type: 'uint16', unit: '', description: '', writable: true, ...over });
  const rows: Array<[string, RegisterDef, { min: number; max: number }]> = [
    ['uint16, scale 0.01', reg({ scale: 0.01 }), { min: 0, max: 655.35 }],
    ['uint16, scale 0.01, writeRange 0-120', reg({ scale: 0.01, writeRange: { min: 0, max: 120 } }), { min: 0, max: 120 }],
    ['int16, scale 0.1, offset 10', reg({ type: 'int16', scale: 0.1, offset: 10 }), { min: -3266.8, max: 3286.7 }],
    ['int16, negative scale', reg({ type: 'int16', scale: -1 }), { min: -32767, max: 32768 }],
    ['a writeRange wider than the register', reg({ writeRange: { min: -5, max: 1e6 } }), { min: 0, max: 65535 }],
    ['coil', reg({ table: 'coil', type: 'bit' }), { min: 0, max: 1 }],
  ];
  for (const [name, def, want] of rows) {
    const got = writableRange(def);
    t.ok(Math.abs(got.min - want.min) < 1e-9 && Math.abs(got.max - want.max) < 1e-9, `${name}: ${JSON.stringify(got)}`);
  }
  const vfd = adapterById('generic-vfd');
  const setpoint = registerByName(vfd, 'frequency_setpoint');
  if (!setpoint) throw new Error('frequency_setpoint expected');
  t.same(writableRange(setpoint), { min: 0, max: 120 }, 'the drive\'s set point is limited to 0-120 Hz');
});
