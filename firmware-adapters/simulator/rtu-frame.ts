/**
 * Modbus RTU framing for the simulator: CRC-16/MODBUS, request length from the function code,
 * and the PDU answers for FC 1-6, 15, 16. Pure byte arithmetic.
 */
import { crc16 } from '../modbus-crc.js';

export function withCrc(frame: number[]): Uint8Array {
  const out = new Uint8Array(frame.length + 2);
  out.set(frame);
  const crc = crc16(out, frame.length);
  out[frame.length] = crc & 0xff;
  out[frame.length + 1] = crc >>> 8;
  return out;
}

/** Length of a complete request frame starting at buf[0], or undefined while more bytes are needed; -1 for an unknown function. */
export function requestLength(buf: Uint8Array): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? undefined : 9 + buf[6]!;
  return -1;
}

export interface RtuTarget {
  readWords(table: 'holding' | 'input' | 'coil' | 'discrete', address: number, length: number): number[];
  write(table: 'holding' | 'coil', address: number, words: number[]): boolean;
}

const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

const READ_TABLES = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' } as const;

/** What a read request frame (FC 1-4) asks for; undefined for any other function. */
export function readSpan(req: Uint8Array): { table: 'holding' | 'input' | 'coil' | 'discrete'; address: number; length: number } | undefined {
  const fc = req[1];
  if (fc !== 1 && fc !== 2 && fc !== 3 && fc !== 4) return undefined;
  return { table: READ_TABLES[fc], address: u16(req, 2), length: u16(req, 4) };
}

/**
 * The response frame (with CRC) to one valid request frame. Exceptions: 1 illegal function, 2 illegal address, 3 illegal value,
 * and whatever code the target throws as `modbusErrorCode` (see DeviceModel.refuse).
 */
export function answer(req: Uint8Array, target: RtuTarget): Uint8Array {
  try {
    return answerOrThrow(req, target);
  } catch (err) {
    // The target refused the addresses (a simulated exception reply): answer with its code.
    const code = (err as { modbusErrorCode?: unknown }).modbusErrorCode;
    if (typeof code !== 'number') throw err;
    return withCrc([req[0]!, req[1]! | 0x80, code]);
  }
}

function answerOrThrow(req: Uint8Array, target: RtuTarget): Uint8Array {
  const unit = req[0]!;
  const fc = req[1]!;
  const fail = (code: number): Uint8Array => withCrc([unit, fc | 0x80, code]);
  const addr = u16(req, 2);
  if (fc === 1 || fc === 2) {
    const n = u16(req, 4);
    if (n < 1 || n > 2000) return fail(3);
    const bits = target.readWords(fc === 1 ? 'coil' : 'discrete', addr, n);
    const bytes = new Array<number>(Math.ceil(n / 8)).fill(0);
    bits.forEach((v, i) => { if (v) bytes[i >> 3]! |= 1 << (i & 7); });
    return withCrc([unit, fc, bytes.length, ...bytes]);
  }
  if (fc === 3 || fc === 4) {
    const n = u16(req, 4);
    if (n < 1 || n > 125) return fail(3);
    const words = target.readWords(fc === 3 ? 'holding' : 'input', addr, n);
    return withCrc([unit, fc, n * 2, ...words.flatMap((w) => [w >> 8, w & 0xff])]);
  }
  if (fc === 5 || fc === 6) {
    const v = u16(req, 4);
    if (fc === 5 && v !== 0xff00 && v !== 0) return fail(3);
    const ok = fc === 5 ? target.write('coil', addr, [v ? 1 : 0]) : target.write('holding', addr, [v]);
    return ok ? withCrc([...req.subarray(0, 6)]) : fail(2);
  }
  if (fc === 15 || fc === 16) {
    const n = u16(req, 4);
    const data = req.subarray(7, 7 + req[6]!);
    const words = fc === 16
      ? Array.from({ length: n }, (_, i) => u16(data, i * 2))
      : Array.from({ length: n }, (_, i) => ((data[i >> 3]! >> (i & 7)) & 1));
    const ok = target.write(fc === 16 ? 'holding' : 'coil', addr, words);
    return ok ? withCrc([...req.subarray(0, 6)]) : fail(2);
  }
  return fail(1);
}
