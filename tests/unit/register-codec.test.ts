import t from 'tap';
import { decodeRegister, encodeRegister } from '../../firmware-adapters/register-codec.js';
import type { RegisterDef } from '../../firmware-adapters/schema.js';

const reg = (over: Partial<RegisterDef>): RegisterDef => ({ name: 'x', table: 'holding', address: 0, type: 'uint16', unit: '', description: 'x', ...over });

t.test('decodes each type, word order and byte order', async (t) => {
  const cases: Array<[string, Partial<RegisterDef>, number[], number]> = [
    ['uint16', { type: 'uint16' }, [0xfffe], 65534],
    ['int16 negative', { type: 'int16' }, [0xfffe], -2],
    ['uint16 scaled', { type: 'uint16', scale: 0.01 }, [5000], 50],
    ['int16 scaled + offset', { type: 'int16', scale: 0.1, offset: -40 }, [0x0190], 0],
    ['uint32 big (ABCD)', { type: 'uint32' }, [0x0001, 0x0002], 65538],
    ['uint32 little (CDAB)', { type: 'uint32', wordOrder: 'little' }, [0x0002, 0x0001], 65538],
    ['int32 negative', { type: 'int32' }, [0xffff, 0xfffe], -2],
    ['float32 big', { type: 'float32' }, [0x4148, 0x0000], 12.5],
    ['float32 little words', { type: 'float32', wordOrder: 'little' }, [0x0000, 0x4148], 12.5],
    ['float32 byte-swapped (BADC)', { type: 'float32', byteOrder: 'little' }, [0x4841, 0x0000], 12.5],
    ['float64', { type: 'float64' }, [0x4029, 0x0000, 0x0000, 0x0000], 12.5],
    ['uint16 byte-swapped', { type: 'uint16', byteOrder: 'little' }, [0x3412], 0x1234],
  ];
  for (const [name, def, words, want] of cases) t.equal(decodeRegister(reg(def), words), want, name);
});

t.test('encode is the inverse of decode', async (t) => {
  const defs: Array<[Partial<RegisterDef>, number]> = [
    [{ type: 'int16', scale: 0.1 }, -12.3], [{ type: 'uint32', wordOrder: 'little' }, 123456],
    [{ type: 'float32', byteOrder: 'little' }, 3.5], [{ type: 'float64', wordOrder: 'little' }, -1e10], [{ type: 'int32' }, -70000],
  ];
  for (const [def, v] of defs) t.ok(Math.abs(decodeRegister(reg(def), encodeRegister(reg(def), v)) - v) < 1e-9, `${def.type} ${v}`);
});

t.test('encode clamps integers to the type range', async (t) => {
  t.same(encodeRegister(reg({ type: 'uint16' }), 70000), [0xffff]);
  t.same(encodeRegister(reg({ type: 'int16' }), -40000), [0x8000]);
});

t.test('a wrong word count or a non 16-bit word is a typed error', async (t) => {
  t.throws(() => decodeRegister(reg({ type: 'uint32' }), [1]), { code: 'FL_ERR_MODBUS_DECODE' });
  t.throws(() => decodeRegister(reg({ type: 'uint16' }), [70000]), { code: 'FL_ERR_MODBUS_DECODE' });
});
