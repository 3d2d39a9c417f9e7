/**
 * A simulated RTU-over-TCP gateway: several slaves (each a DeviceModel with its own unit id)
 * behind one TCP port that carries raw RTU frames, as serial device servers do. Slaves can be
 * made silent (no answer: the master times out), for a whole slave or for reads that touch some
 * of its registers (slave(u).mute), or to answer with a broken CRC, to exercise the agent's
 * error handling.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Adapter } from '../schema.js';
import { DeviceModel } from './device-model.js';
import { crc16 } from '../modbus-crc.js';
import { answer, readSpan, requestLength } from './rtu-frame.js';

export type SlaveBehaviour = 'normal' | 'silent' | 'bad-crc';

export interface RtuGateway {
  readonly host: string;
  readonly port: number;
  slave(unitId: number): DeviceModel;
  behave(unitId: number, how: SlaveBehaviour): void;
  requestsTo(unitId: number): number;
  stop(): Promise<void>;
}

/** The slaves on one simulated RTU line and how each behaves; shared by the TCP gateway and the serial line. */
export class RtuLine {
  readonly models: Map<number, DeviceModel>;
  private readonly behaviour = new Map<number, SlaveBehaviour>();
  private readonly requests = new Map<number, number>();

  constructor(slaves: ReadonlyArray<{ unitId: number; adapter: Adapter; seed?: number }>, private readonly now: () => number = Date.now) {
    this.models = new Map(slaves.map((s) => [s.unitId, new DeviceModel(s.adapter, s.seed ?? s.unitId)]));
  }

  slave(unitId: number): DeviceModel {
    const m = this.models.get(unitId);
    if (!m) throw new Error(`no slave ${unitId} on this line`);
    return m;
  }

  behave(unitId: number, how: SlaveBehaviour): void {
    this.behaviour.set(unitId, how);
  }

  requestsTo(unitId: number): number {
    return this.requests.get(unitId) ?? 0;
  }

  /** A byte-stream handler for one connection: reassembles request frames and writes the answers. */
  session(write: (frame: Uint8Array) => void): (chunk: Buffer) => void {
    let buf = Buffer.alloc(0);
    return (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const len = requestLength(buf);
        if (len === undefined || (len > 0 && buf.length < len)) return;
        if (len < 0) { buf = Buffer.alloc(0); return; } // garbage: resynchronise on the next request
        const frame = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (crc16(frame, len - 2) !== (frame[len - 2]! | (frame[len - 1]! << 8))) continue; // a slave ignores a corrupt request
        const unit = frame[0]!;
        const model = this.models.get(unit);
        if (!model) continue; // nobody with that address on the line
        this.requests.set(unit, (this.requests.get(unit) ?? 0) + 1);
        const how = this.behaviour.get(unit) ?? 'normal';
        const read = readSpan(frame);
        if (how === 'silent' || (read && model.mutes(read.table, read.address, read.length))) continue; // muted registers: see DeviceModel.mute
        const res = answer(frame, {
          readWords: (table, address, length) => model.readWords(table, address, length, this.now()),
          write: (table, address, words) => model.write(table, address, words).length > 0,
        });
        if (how === 'bad-crc') res[res.length - 1]! ^= 0xff;
        write(res);
      }
    };
  }
}

export async function startRtuGateway(slaves: ReadonlyArray<{ unitId: number; adapter: Adapter; seed?: number }>, opts: { host?: string; now?: () => number } = {}): Promise<RtuGateway> {
  const host = opts.host ?? '127.0.0.1';
  const line = new RtuLine(slaves, opts.now);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.on('data', line.session((frame) => sock.write(frame)));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    host, port,
    slave: (unitId) => line.slave(unitId),
    behave: (unitId, how) => line.behave(unitId, how),
    requestsTo: (unitId) => line.requestsTo(unitId),
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
