/**
 * Pure conversion between 16-bit Modbus register words and engineering values, honouring
 * type, word order, byte order, scale and offset. Used by the agent (decode) and the simulator (encode).
 */
import { FaultlineError } from '../protocol/errors.js';
import { registerSpan, type RegisterDef } from './schema.js';

function orderedBytes(def: RegisterDef, words: readonly number[]): Buffer {
  const width = registerSpan(def);
  if (words.length !== width) {
    throw new FaultlineError('FL_ERR_MODBUS_DECODE', `register ${def.name}: expected ${width} words, got ${words.length}`, {
      context: { register: def.name, address: def.address },
    });
  }
  const seq = def.wordOrder === 'little' ? [...words].reverse() : words;
  const buf = Buffer.alloc(width * 2);
  seq.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 0 || w > 0xffff) {
      throw new FaultlineError('FL_ERR_MODBUS_DECODE', `register ${def.name}: word ${i} is not a 16-bit value (${w})`, {
        context: { register: def.name, address: def.address },
      });
    }
    if (def.byteOrder === 'little') buf.writeUInt16LE(w, i * 2);
    else buf.writeUInt16BE(w, i * 2);
  });
  return buf;
}

/** Eight bytes to assemble a value in (decodeRegisterAt runs once per register per poll: no buffer per call). */
const scratch = new DataView(new ArrayBuffer(8));

/** Raw register words (0/1 for a bit) -> engineering value. A `string` decodes to NaN: use decodeText. */
export function decodeRegister(def: RegisterDef, words: readonly number[]): number {
  const width = registerSpan(def);
  if (def.type !== 'string' && words.length !== width) {
    throw new FaultlineError('FL_ERR_MODBUS_DECODE', `register ${def.name}: expected ${width} words, got ${words.length}`, {
      context: { register: def.name, address: def.address },
    });
  }
  return decodeRegisterAt(def, words, 0);
}

/**
 * The value of `def` from the words of a block read starting at `at` (the register's offset in
 * the block): decodeRegister without slicing the block. The caller makes sure the block holds
 * the register's words.
 */
export function decodeRegisterAt(def: RegisterDef, words: readonly number[], at: number): number {
  if (def.type === 'string') return Number.NaN;
  if (def.type === 'bit') return words[at] ? 1 : 0;
  const width = registerSpan(def);
  // The register's bytes, most significant first, into the scratch view.
  for (let i = 0; i < width; i++) {
    const w = words[def.wordOrder === 'little' ? at + width - 1 - i : at + i];
    if (w === undefined || !Number.isInteger(w) || w < 0 || w > 0xffff) {
      throw new FaultlineError('FL_ERR_MODBUS_DECODE', `register ${def.name}: word ${i} is not a 16-bit value (${w})`, {
        context: { register: def.name, address: def.address },
      });
    }
    scratch.setUint16(i * 2, w, def.byteOrder === 'little');
  }
  let raw: number;
  switch (def.type) {
    case 'bitfield': return scratch.getUint16(0);
    case 'int16': raw = scratch.getInt16(0); break;
    case 'uint16': raw = scratch.getUint16(0); break;
    case 'int32': raw = scratch.getInt32(0); break;
    case 'uint32': raw = scratch.getUint32(0); break;
    case 'float32': raw = scratch.getFloat32(0); break;
    case 'float64': raw = scratch.getFloat64(0); break;
  }
  return raw * (def.scale ?? 1) + (def.offset ?? 0);
}

/** ASCII text of a `string` register: two characters per register, high byte first (byteOrder 'little' swaps), NULs and trailing spaces trimmed. */
export function decodeText(def: RegisterDef, words: readonly number[]): string {
  const b = orderedBytes(def, words);
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return b.subarray(0, end).toString('latin1').replace(/[^\x20-\x7e]/g, '?').trimEnd();
}

export function encodeText(def: RegisterDef, text: string): number[] {
  const width = registerSpan(def);
  const b = Buffer.alloc(width * 2);
  b.write(text.slice(0, width * 2), 'latin1');
  const words: number[] = [];
  for (let i = 0; i < width; i++) words.push(def.byteOrder === 'little' ? b.readUInt16LE(i * 2) : b.readUInt16BE(i * 2));
  return def.wordOrder === 'little' ? words.reverse() : words;
}

/** Engineering value -> raw register words (clamped to the type's range; 0/1 for a bit). */
const RAW_LIMITS: Partial<Record<RegisterDef['type'], [number, number]>> = {
  int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], bitfield: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38], float64: [-Number.MAX_VALUE, Number.MAX_VALUE], bit: [0, 1],
};

/**
 * The engineering values a write to this register may set: what its type holds (after scale and
 * offset), narrowed by the adapter's writeRange. encodeRegister would clamp anything outside.
 */
export function writableRange(def: RegisterDef): { min: number; max: number } {
  const [lo, hi] = RAW_LIMITS[def.type] ?? [0, 0];
  const scaled = def.type === 'bit' || def.type === 'bitfield' ? [lo, hi] : [lo, hi].map((raw) => raw * (def.scale ?? 1) + (def.offset ?? 0));
  const min = Math.max(Math.min(...scaled), def.writeRange?.min ?? Number.NEGATIVE_INFINITY);
  const max = Math.min(Math.max(...scaled), def.writeRange?.max ?? Number.POSITIVE_INFINITY);
  return { min, max };
}

const INTEGER_TYPES: ReadonlySet<string> = new Set(['int16', 'uint16', 'int32', 'uint32', 'bitfield']);

/**
 * Why `value` cannot be written to `def` exactly, or undefined when it can: a coil takes 0 or 1,
 * an integer register whole multiples of its scale (47.55 Hz does not fit a 0.1 Hz register;
 * encodeRegister would round it). Range is writableRange's business.
 */
export function inexactWriteValue(def: RegisterDef, value: number): string | undefined {
  const unit = def.unit ? ` ${def.unit}` : '';
  if (!Number.isFinite(value)) return `value for "${def.name}" must be a finite number`;
  if (def.type === 'bit') return value === 0 || value === 1 ? undefined : `value ${value} for "${def.name}" must be 0 or 1 (a ${def.table === 'coil' ? 'coil' : 'bit'})`;
  if (!INTEGER_TYPES.has(def.type)) return undefined;
  const scale = def.scale ?? 1;
  const raw = (value - (def.offset ?? 0)) / scale;
  if (Math.abs(raw - Math.round(raw)) <= 1e-9 * Math.max(1, Math.abs(raw))) return undefined;
  return `value ${value}${unit} for "${def.name}" is not a whole step of ${scale}${unit} (a ${def.type} register); nothing was written`;
}

export function encodeRegister(def: RegisterDef, value: number): number[] {
  if (def.type === 'bit') return [value ? 1 : 0];
  if (def.type === 'string') return encodeText(def, '');
  const width = registerSpan(def);
  const b = Buffer.alloc(width * 2);
  const raw = (value - (def.offset ?? 0)) / (def.scale ?? 1);
  const int = (lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(raw)));
  switch (def.type) {
    case 'int16': b.writeInt16BE(int(-0x8000, 0x7fff)); break;
    case 'uint16': b.writeUInt16BE(int(0, 0xffff)); break;
    case 'bitfield': b.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.round(value)))); break;
    case 'int32': b.writeInt32BE(int(-0x80000000, 0x7fffffff)); break;
    case 'uint32': b.writeUInt32BE(int(0, 0xffffffff)); break;
    case 'float32': b.writeFloatBE(raw); break;
    case 'float64': b.writeDoubleBE(raw); break;
  }
  const words: number[] = [];
  for (let i = 0; i < width; i++) words.push(def.byteOrder === 'little' ? b.readUInt16LE(i * 2) : b.readUInt16BE(i * 2));
  return def.wordOrder === 'little' ? words.reverse() : words;
}
