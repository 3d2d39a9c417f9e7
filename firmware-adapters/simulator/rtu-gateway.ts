/**
 * A simulated RTU-over-TCP gateway: several slaves (each a DeviceModel with its own unit id)
 * behind one TCP port that carries raw RTU frames, as serial device servers do. Slaves can be
 * made silent (no answer: the master times out) or to answer with a broken CRC, to exercise
 * the agent's error handling.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Adapter } from '../schema.js';
import { DeviceModel } from './device-model.js';
import { answer, crc16, requestLength } from './rtu-frame.js';

export type SlaveBehaviour = 'normal' | 'silent' | 'bad-crc';

export interface RtuGateway {
  readonly host: string;
  readonly port: number;
  slave(unitId: number): DeviceModel;
  behave(unitId: number, how: SlaveBehaviour): void;
  requestsTo(unitId: number): number;
  stop(): Promise<void>;
}

export async function startRtuGateway(slaves: ReadonlyArray<{ unitId: number; adapter: Adapter; seed?: number }>, opts: { host?: string; now?: () => number } = {}): Promise<RtuGateway> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const models = new Map(slaves.map((s) => [s.unitId, new DeviceModel(s.adapter, s.seed ?? s.unitId)]));
  const behaviour = new Map<number, SlaveBehaviour>();
  const requests = new Map<number, number>();
  const sockets = new Set<Socket>();

  const server: Server = createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const len = requestLength(buf);
        if (len === undefined || (len > 0 && buf.length < len)) return;
        if (len < 0) { buf = Buffer.alloc(0); return; } // garbage: resynchronise on the next request
        const frame = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (crc16(frame, len - 2) !== (frame[len - 2]! | (frame[len - 1]! << 8))) continue; // a slave ignores a corrupt request
        const unit = frame[0]!;
        const model = models.get(unit);
        if (!model) continue; // nobody with that address on the line
        requests.set(unit, (requests.get(unit) ?? 0) + 1);
        const how = behaviour.get(unit) ?? 'normal';
        if (how === 'silent') continue;
        const res = answer(frame, {
          readWords: (table, address, length) => model.readWords(table, address, length, now()),
          write: (table, address, words) => model.write(table, address, words).length > 0,
        });
        if (how === 'bad-crc') res[res.length - 1]! ^= 0xff;
        sock.write(res);
      }
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    host, port,
    slave: (unitId) => {
      const m = models.get(unitId);
      if (!m) throw new Error(`no slave ${unitId} on this gateway`);
      return m;
    },
    behave: (unitId, how) => { behaviour.set(unitId, how); },
    requestsTo: (unitId) => requests.get(unitId) ?? 0,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
