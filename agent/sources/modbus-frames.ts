/**
 * Modbus client framing, pure byte arithmetic: request PDUs for FC 1-6, 15 and 16, their
 * answers parsed and checked, MBAP (Modbus TCP) and RTU (CRC-16) envelopes, and how long an
 * answer frame is. Errors carry what the poller classifies (agent/sources/modbus-poller.ts):
 * an exception reply has `modbusCode`; a CRC mismatch says "CRC"; anything else is an I/O error.
 */
import { crc16 } from '../../firmware-adapters/modbus-crc.js';

export type ReadFunction = 1 | 2 | 3 | 4;
export type WriteFunction = 5 | 6 | 15 | 16;

/** Exception texts as modbus-serial words them. */
const EXCEPTIONS: Record<number, string> = {
  1: 'Illegal function (device does not support this read/write function)',
  2: 'Illegal data address (register not supported by device)',
  3: 'Illegal data value (value cannot be written to this register)',
  4: 'Slave device failure (device reports internal error)',
  5: 'Acknowledge (requested data will be available later)',
  6: 'Slave device busy (retry request again later)',
  7: 'Negative acknowledge (slave device cannot perform programming functions)',
  8: 'Memory parity error (slave device detected a parity error in memory)',
  10: 'Gateway path unavailable (misconfigured gateway)',
  11: 'Gateway target device failed to respond (retry request again later)',
};

/** The slave answered with an exception: a definite answer, the link is fine. */
export class ModbusExceptionError extends Error {
  override readonly name = 'ModbusExceptionError';
  constructor(readonly modbusCode: number) {
    super(`Modbus exception ${modbusCode}: ${EXCEPTIONS[modbusCode] ?? 'Unknown error'}`);
  }
}

/** No (complete) answer within the request's timeout. */
export class ModbusTimeoutError extends Error {
  override readonly name = 'TransactionTimedOutError';
  readonly errno = 'ETIMEDOUT';
  constructor() {
    super('Timed out');
  }
}

/** An answer that does not fit the request, a broken frame or a lost connection. */
export class ModbusReplyError extends Error {
  override readonly name = 'ModbusReplyError';
}


const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];

export function readRequest(fc: ReadFunction, address: number, count: number): Buffer {
  return Buffer.from([fc, ...u16(address), ...u16(count)]);
}

export function writeCoilRequest(address: number, on: boolean): Buffer {
  return Buffer.from([5, ...u16(address), on ? 0xff : 0x00, 0x00]);
}

export function writeRegisterRequest(address: number, value: number): Buffer {
  return Buffer.from([6, ...u16(address), ...u16(value)]);
}

export function writeCoilsRequest(address: number, values: readonly boolean[]): Buffer {
  const bytes = new Array<number>(Math.ceil(values.length / 8)).fill(0);
  values.forEach((on, i) => { if (on) bytes[i >> 3]! |= 1 << (i & 7); });
  return Buffer.from([15, ...u16(address), ...u16(values.length), bytes.length, ...bytes]);
}

export function writeRegistersRequest(address: number, values: readonly number[]): Buffer {
  return Buffer.from([16, ...u16(address), ...u16(values.length), values.length * 2, ...values.flatMap(u16)]);
}

/**
 * The big-endian 16-bit word at `at` (the caller checked the length). Byte arithmetic, not
 * readUInt16BE: that validates its offset through Node's JS wrappers, which the agent's
 * interpreter-only V8 runs for every word of every poll.
 */
export function wordAt(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

/** Throws ModbusExceptionError for an exception reply, ModbusReplyError for one that is not an answer to `request`. */
function checkFunction(request: Buffer, reply: Buffer): number {
  const fc = request[0]!;
  const got = reply[0];
  if (got === (fc | 0x80)) {
    if (reply.length !== 2) throw new ModbusReplyError(`Exception reply of ${reply.length} bytes (2 expected)`);
    throw new ModbusExceptionError(reply[1] ?? 0);
  }
  if (got !== fc) throw new ModbusReplyError(`Unexpected function code ${String(got)} in the reply to function ${fc}`);
  return fc;
}

/** Decodes the reply PDU to a read request: bits (FC 1, 2; every bit of the bytes sent, as modbus-serial) or 16-bit words (FC 3, 4). */
export function parseReadReply(request: Buffer, reply: Buffer): { data: number[] | boolean[]; buffer: Buffer } {
  const fc = checkFunction(request, reply);
  const count = wordAt(request, 3);
  const expected = fc <= 2 ? Math.ceil(count / 8) : count * 2;
  const byteCount = reply[1];
  if (byteCount !== expected || reply.length !== 2 + expected) {
    throw new ModbusReplyError(`Data length error, expected ${expected} bytes got ${String(byteCount)} (${Math.max(0, reply.length - 2)} received)`);
  }
  const buffer = reply.subarray(2);
  if (fc <= 2) {
    const bits: boolean[] = [];
    for (const byte of buffer) for (let b = 0; b < 8; b++) bits.push(((byte >> b) & 1) === 1);
    return { data: bits, buffer };
  }
  const words = new Array<number>(count);
  for (let i = 0; i < count; i++) words[i] = wordAt(buffer, 2 * i);
  return { data: words, buffer };
}

/** Checks the reply to a write: FC 5 and 6 echo the request; FC 15 and 16 echo address and quantity. */
export function parseWriteReply(request: Buffer, reply: Buffer): { address: number; value: number } {
  checkFunction(request, reply);
  if (reply.length !== 5 || !reply.subarray(1, 5).equals(request.subarray(1, 5))) {
    throw new ModbusReplyError(`Unexpected reply to write function ${request[0]!}: ${reply.toString('hex')}`);
  }
  return { address: wordAt(reply, 1), value: wordAt(reply, 3) };
}

export function mbapFrame(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(7 + pdu.length);
  frame[0] = (transactionId >> 8) & 0xff;
  frame[1] = transactionId & 0xff;
  frame[2] = 0;
  frame[3] = 0;
  frame[4] = ((pdu.length + 1) >> 8) & 0xff;
  frame[5] = (pdu.length + 1) & 0xff;
  frame[6] = unitId;
  frame.set(pdu, 7);
  return frame;
}

/** Length of the MBAP frame at the start of `buf`, or undefined while its header is incomplete. */
export function mbapLength(buf: Buffer): number | undefined {
  return buf.length < 6 ? undefined : 6 + wordAt(buf, 4);
}

export function rtuFrame(unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.alloc(pdu.length + 3);
  frame[0] = unitId;
  pdu.copy(frame, 1);
  frame.writeUInt16LE(crc16(frame, pdu.length + 1), pdu.length + 1);
  return frame;
}

/** Length of the RTU answer frame at the start of `buf` (from its function code), or undefined while more bytes are needed. */
export function rtuReplyLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc & 0x80) return 5;
  if (fc >= 1 && fc <= 4) return buf.length < 3 ? undefined : 5 + buf[2]!;
  if (fc === 5 || fc === 6 || fc === 15 || fc === 16) return 8;
  throw new ModbusReplyError(`Unexpected function code ${fc} in an RTU reply`);
}

/** The PDU of a complete RTU answer frame; throws on a CRC mismatch or an answer from another slave. */
export function rtuPdu(frame: Buffer, unitId: number): Buffer {
  const crc = frame.readUInt16LE(frame.length - 2);
  if (crc !== crc16(frame, frame.length - 2)) throw new ModbusReplyError('CRC error');
  if (frame[0] !== unitId) throw new ModbusReplyError(`Unexpected data error, expected address ${unitId} got ${frame[0]!}`);
  return frame.subarray(1, frame.length - 2);
}
