/**
 * A Modbus client over one TCP connection: Modbus TCP (MBAP) or raw RTU frames through a serial
 * device server (rtu-over-tcp). Our own, not modbus-serial: its index loads serialport (a native
 * addon), its UDP, BLE and ASCII ports and its servers for every config, about 2 MiB of RSS the
 * agent does not need unless a device sits on a serial port (modbus-serial-client.ts).
 *
 * One request at a time: the bus (modbus-bus.ts) serialises them, as the wire needs. A reply is
 * matched to its request (MBAP transaction id; RTU: the frame after the request), checked
 * (function code, lengths, echoed address, CRC, unit) and decoded; a late reply to an earlier,
 * timed-out request is dropped. Every failure is an error the poller classifies: exception
 * replies (`modbusCode`), timeouts ("Timed out"), CRC errors, I/O errors.
 */
import { connect, type Socket } from 'node:net';
import {
  mbapFrame, mbapLength, wordAt, ModbusReplyError, ModbusTimeoutError, parseReadReply, parseWriteReply, readRequest, rtuFrame, rtuPdu, rtuReplyLength,
  writeCoilRequest, writeCoilsRequest, writeRegisterRequest, writeRegistersRequest, type ReadFunction,
} from './modbus-frames.js';
import type { ModbusClient } from './modbus-client-types.js';

export type NetFraming = 'mbap' | 'rtu';

interface Pending {
  request: Buffer;
  unitId: number;
  transactionId: number;
  resolve: (pdu: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class NetModbusClient implements ModbusClient {
  private socket: Socket | null = null;
  private open = false;
  private unitId = 1;
  private timeoutMs = 1000;
  private transactionId = 0;
  private received: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  /** Where the socket reads into (the longest Modbus frame is 260 bytes; a longer read arrives in parts). */
  private readonly readBuffer = Buffer.alloc(1024);

  constructor(private readonly framing: NetFraming) {}

  get isOpen(): boolean {
    return this.open;
  }

  setID(unitId: number): void {
    this.unitId = unitId;
  }

  setTimeout(ms: number): void {
    this.timeoutMs = ms;
  }

  /**
   * Opens the connection (TCP_NODELAY: a request is one small write). Replies are read with
   * `onread` into one buffer the client owns, not through the socket's Readable stream (a push,
   * a chunk and a 'data' event per reply, all interpreted in the lean agent): the buffer is
   * reused, so onData copies what it keeps.
   */
  connect(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, onread: { buffer: this.readBuffer, callback: (n: number) => { this.onData(this.readBuffer.subarray(0, n)); return true; } } });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.once('connect', () => { this.open = true; resolve(); });
      socket.on('error', (err) => { if (!this.open) reject(err); this.lost(err.message); });
      socket.on('close', () => { reject(new ModbusReplyError('connection closed before it opened')); this.lost('connection closed'); });
    });
  }

  close(done: () => void): void {
    this.lost('connection closed by the agent');
    this.socket?.destroy();
    this.socket = null;
    done();
  }

  readCoils(address: number, count: number): Promise<{ data: boolean[]; buffer: Buffer }> {
    return this.read(1, address, count) as Promise<{ data: boolean[]; buffer: Buffer }>;
  }

  readDiscreteInputs(address: number, count: number): Promise<{ data: boolean[]; buffer: Buffer }> {
    return this.read(2, address, count) as Promise<{ data: boolean[]; buffer: Buffer }>;
  }

  readHoldingRegisters(address: number, count: number): Promise<{ data: number[]; buffer: Buffer }> {
    return this.read(3, address, count) as Promise<{ data: number[]; buffer: Buffer }>;
  }

  readInputRegisters(address: number, count: number): Promise<{ data: number[]; buffer: Buffer }> {
    return this.read(4, address, count) as Promise<{ data: number[]; buffer: Buffer }>;
  }

  writeCoil(address: number, on: boolean): Promise<{ address: number; value: number }> {
    return this.write(writeCoilRequest(address, on));
  }

  writeCoils(address: number, values: boolean[]): Promise<{ address: number; value: number }> {
    return this.write(writeCoilsRequest(address, values));
  }

  writeRegister(address: number, value: number): Promise<{ address: number; value: number }> {
    return this.write(writeRegisterRequest(address, value));
  }

  writeRegisters(address: number, values: number[]): Promise<{ address: number; value: number }> {
    return this.write(writeRegistersRequest(address, values));
  }

  private async read(fc: ReadFunction, address: number, count: number): Promise<{ data: number[] | boolean[]; buffer: Buffer }> {
    const request = readRequest(fc, address, count);
    return parseReadReply(request, await this.transact(request));
  }

  private async write(request: Buffer): Promise<{ address: number; value: number }> {
    return parseWriteReply(request, await this.transact(request));
  }

  /** Sends one request PDU and resolves with the reply PDU. */
  private transact(request: Buffer): Promise<Buffer> {
    const socket = this.socket;
    if (!socket || !this.open) return Promise.reject(new ModbusReplyError('Port Not Open'));
    if (this.pending) return Promise.reject(new ModbusReplyError('a request is already waiting for its reply'));
    this.transactionId = (this.transactionId + 1) & 0xffff;
    this.received = Buffer.alloc(0); // whatever came after the last complete reply belongs to no request
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(new ModbusTimeoutError()), this.timeoutMs);
      this.pending = { request, unitId: this.unitId, transactionId: this.transactionId, resolve, reject, timer };
      socket.write(this.framing === 'mbap' ? mbapFrame(this.transactionId, this.unitId, request) : rtuFrame(this.unitId, request));
    });
  }

  private settle(outcome: Error | Buffer): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private lost(reason: string): void {
    this.open = false;
    this.settle(new ModbusReplyError(reason));
  }

  /** `chunk` is a view of the read buffer, overwritten by the next read: what is left of it is copied. */
  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    try {
      if (this.framing === 'mbap') this.takeMbap();
      else this.takeRtu();
      if (this.received.length > 0 && this.received.buffer === this.readBuffer.buffer) this.received = Buffer.from(this.received);
    } catch (err) {
      this.received = Buffer.alloc(0);
      this.settle(err as Error);
    }
  }

  private takeMbap(): void {
    for (let len = mbapLength(this.received); len !== undefined && this.received.length >= len; len = mbapLength(this.received)) {
      const frame = this.received.subarray(0, len);
      this.received = this.received.subarray(len);
      const p = this.pending;
      if (!p || wordAt(frame, 0) !== p.transactionId) continue; // a late reply to a request that timed out
      if (frame.length < 8 || wordAt(frame, 2) !== 0) throw new ModbusReplyError(`bad MBAP frame ${frame.toString('hex')}`);
      if (frame[6] !== p.unitId) throw new ModbusReplyError(`Unexpected data error, expected address ${p.unitId} got ${frame[6]!}`);
      this.settle(Buffer.from(frame.subarray(7)));
    }
  }

  private takeRtu(): void {
    const len = rtuReplyLength(this.received);
    if (len === undefined || this.received.length < len) return;
    const frame = this.received.subarray(0, len);
    this.received = Buffer.alloc(0);
    const p = this.pending;
    if (!p) return; // a late reply to a request that timed out
    this.settle(Buffer.from(rtuPdu(frame, p.unitId)));
  }
}
