/**
 * The agent's own Modbus client over TCP (Modbus TCP and rtu-over-tcp) against scripted slaves on
 * loopback sockets: the bytes of every function code it sends, the replies it decodes, and how
 * each failure is classified (exception, timeout, CRC, I/O); requests of several slaves on one
 * bus never overlap.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import t from 'tap';
import { ModbusBus } from '../../agent/sources/modbus-bus.js';
import { ModbusExceptionError, rtuFrame } from '../../agent/sources/modbus-frames.js';
import { crc16 } from '../../firmware-adapters/modbus-crc.js';
import { NetModbusClient, type NetFraming } from '../../agent/sources/modbus-net-client.js';
import { classifyModbusError } from '../../agent/sources/modbus-poller.js';
import { silentLogger } from '../../protocol/logger.js';

/** What a scripted slave does with one request: reply with this PDU, stay silent, or send these raw bytes. */
/** splitAt: the frame is written in two parts, `splitAt` bytes (at most all but one) first and the rest 20 ms later: two reads on the client's side. */
type Answer = { pdu: number[]; unit?: number; delayMs?: number; badCrc?: boolean; splitAt?: number } | 'silent' | { raw: Buffer };

interface Slave {
  port: number;
  requests: Array<{ unit: number; pdu: number[] }>;
  maxConcurrent: number;
  sockets: Socket[];
  stop(): Promise<void>;
}

async function slave(framing: NetFraming, answer: (unit: number, pdu: number[], n: number) => Answer): Promise<Slave> {
  const requests: Slave['requests'] = [];
  const sockets: Socket[] = [];
  const state = { busy: 0, maxConcurrent: 0 };
  const server = createServer((socket) => {
    sockets.push(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let unit: number; let pdu: number[]; let tid = 0;
        if (framing === 'mbap') {
          if (buf.length < 7 || buf.length < 6 + buf.readUInt16BE(4)) return;
          const len = 6 + buf.readUInt16BE(4);
          tid = buf.readUInt16BE(0); unit = buf[6]!; pdu = [...buf.subarray(7, len)];
          buf = buf.subarray(len);
        } else {
          const fc = buf[1];
          const len = fc === undefined ? Infinity : fc <= 6 ? 8 : buf.length < 7 ? Infinity : 9 + buf[6]!;
          if (buf.length < len) return;
          unit = buf[0]!; pdu = [...buf.subarray(1, len - 2)];
          buf = buf.subarray(len);
        }
        requests.push({ unit, pdu });
        state.busy++;
        state.maxConcurrent = Math.max(state.maxConcurrent, state.busy);
        const a = answer(unit, pdu, requests.length);
        if (a === 'silent') { state.busy--; continue; }
        const send = (): void => {
          state.busy--;
          if ('raw' in a) { socket.write(a.raw); return; }
          const body = Buffer.from(a.pdu);
          let frame: Buffer;
          if (framing === 'mbap') {
            const head = Buffer.alloc(7);
            head.writeUInt16BE(tid, 0); head.writeUInt16BE(0, 2); head.writeUInt16BE(body.length + 1, 4); head[6] = a.unit ?? unit;
            frame = Buffer.concat([head, body]);
          } else {
            frame = rtuFrame(a.unit ?? unit, body);
            if (a.badCrc) frame[frame.length - 1]! ^= 0xff;
          }
          if (a.splitAt === undefined) { socket.write(frame); return; }
          const cut = Math.min(a.splitAt, frame.length - 1);
          socket.write(frame.subarray(0, cut));
          setTimeout(() => socket.write(frame.subarray(cut)), 20);
        };
        const delayMs = 'raw' in a ? 0 : a.delayMs ?? 0;
        if (delayMs > 0) setTimeout(send, delayMs); else send();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port, requests, sockets,
    get maxConcurrent() { return state.maxConcurrent; },
    stop: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

async function clientFor(t: { teardown: (fn: () => unknown) => void }, framing: NetFraming, s: Slave, timeoutMs = 2000): Promise<NetModbusClient> {
  const c = new NetModbusClient(framing);
  await c.connect('127.0.0.1', s.port);
  c.setID(7);
  c.setTimeout(timeoutMs);
  t.teardown(() => c.close(() => undefined));
  t.teardown(() => s.stop());
  return c;
}

/** Answers every function as a well-behaved slave: registers read as 0x0100 + address, coils as address % 3 === 0. */
const healthy = (_unit: number, pdu: number[]): Answer => {
  const [fc, a1 = 0, a2 = 0, n1 = 0, n2 = 0] = pdu;
  const address = (a1 << 8) | a2; const count = (n1 << 8) | n2;
  if (fc === 3 || fc === 4) return { pdu: [fc, count * 2, ...Array.from({ length: count }, (_, i) => [0x01, (address + i) & 0xff]).flat()] };
  if (fc === 1 || fc === 2) {
    const bytes = new Array<number>(Math.ceil(count / 8)).fill(0);
    for (let i = 0; i < count; i++) if ((address + i) % 3 === 0) bytes[i >> 3]! |= 1 << (i & 7);
    return { pdu: [fc, bytes.length, ...bytes] };
  }
  return { pdu: pdu.slice(0, 5) };
};

for (const framing of ['mbap', 'rtu'] as const) {
  t.test(`${framing}: every function code, the bytes sent and the replies decoded`, async (t) => {
    const s = await slave(framing, healthy);
    const c = await clientFor(t, framing, s);
    t.same((await c.readHoldingRegisters(10, 3)).data, [0x010a, 0x010b, 0x010c], 'FC 3');
    t.same((await c.readInputRegisters(0, 1)).data, [0x0100], 'FC 4');
    t.same((await c.readCoils(0, 10)).data.slice(0, 10), [true, false, false, true, false, false, true, false, false, true], 'FC 1, least significant bit first');
    t.equal((await c.readDiscreteInputs(0, 10)).data.length, 16, 'FC 2: every bit of the bytes sent, as modbus-serial');
    await c.writeCoil(5, true);
    await c.writeRegister(6, 0xbeef);
    await c.writeCoils(8, [true, false, true, true, false, false, false, false, true]);
    await c.writeRegisters(300, [1, 0xfffe]);
    t.same(s.requests.slice(4).map((r) => r.pdu), [
      [5, 0, 5, 0xff, 0],
      [6, 0, 6, 0xbe, 0xef],
      [15, 0, 8, 0, 9, 2, 0b00001101, 0b00000001],
      [16, 0x01, 0x2c, 0, 2, 4, 0, 1, 0xff, 0xfe],
    ], 'FC 5, 6, 15, 16 on the wire');
    t.ok(s.requests.every((r) => r.unit === 7), 'addressed to the unit set with setID');
  });

  t.test(`${framing}: exception replies, timeouts and lost connections are told apart`, async (t) => {
    const s = await slave(framing, (unit, pdu, n) => {
      if (n === 1) return { pdu: [pdu[0]! | 0x80, 2] };
      if (n === 2) return 'silent';
      if (n === 3) return { ...(healthy(unit, pdu) as { pdu: number[] }), delayMs: 0 };
      return { raw: Buffer.alloc(0) };
    });
    const c = await clientFor(t, framing, s);
    const ex = await c.readHoldingRegisters(0, 1).catch((e: unknown) => e);
    t.ok(ex instanceof ModbusExceptionError);
    t.equal((ex as ModbusExceptionError).modbusCode, 2);
    t.match((ex as Error).message, /Modbus exception 2: Illegal data address/);
    t.equal(classifyModbusError(ex), 'exception');
    t.ok(c.isOpen, 'an exception leaves the connection open');

    // A short limit only for the request the slave leaves unanswered: a loaded machine can take longer than that for a reply.
    c.setTimeout(150);
    const timeout = await c.readHoldingRegisters(0, 1).catch((e: unknown) => e);
    c.setTimeout(2000);
    t.equal(classifyModbusError(timeout), 'timeout', String(timeout));
    t.same((await c.readHoldingRegisters(1, 1)).data, [0x0101], 'the next request gets its own answer');

    s.sockets[0]!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    t.notOk(c.isOpen, 'a closed connection is noticed');
    const closed = await c.readHoldingRegisters(0, 1).catch((e: unknown) => e);
    t.equal(classifyModbusError(closed), 'io', String(closed));
  });

  t.test(`${framing}: replies that do not fit the request are I/O errors`, async (t) => {
    const s = await slave(framing, (unit, pdu, n) => {
      if (n === 1) return { pdu: [3, 4, 0, 1, 0, 2] }; // two registers for one asked
      if (n === 2) return { pdu: [4, 2, 0, 1] }; // another function
      if (n === 3) return { pdu: [3, 2, 0, 1], unit: unit + 1 }; // another slave
      return { pdu: [6, 0, 9, 0, 0] }; // a write echo for another address
    });
    const c = await clientFor(t, framing, s);
    for (const what of ['length', 'function', 'unit']) {
      const err = await c.readHoldingRegisters(0, 1).catch((e: unknown) => e);
      t.equal(classifyModbusError(err), 'io', `${what}: ${String(err)}`);
    }
    t.equal(classifyModbusError(await c.writeRegister(1, 0).catch((e: unknown) => e)), 'io', 'a wrong echo');
  });
}

for (const framing of ['mbap', 'rtu'] as const) {
  t.test(`${framing}: a reply that arrives in parts is put together, and the next read does not overwrite the first part`, async (t) => {
    // 125 registers: the longest read reply (259 bytes in MBAP), cut after 100 bytes.
    const s = await slave(framing, (unit, pdu) => ({ ...(healthy(unit, pdu) as { pdu: number[] }), splitAt: 100 }));
    const c = await clientFor(t, framing, s);
    const expected = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => 0x0100 + ((from + i) & 0xff));
    t.same((await c.readHoldingRegisters(10, 125)).data, expected(10, 125));
    t.same((await c.readInputRegisters(200, 125)).data, expected(200, 125), 'a second split reply');
    t.same((await c.readHoldingRegisters(3, 2)).data, expected(3, 2), 'a short one, split too');
  });
}

t.test('mbap: an exception reply of the wrong length is an I/O error, not an exception', async (t) => {
  const s = await slave('mbap', (_unit, pdu) => ({ pdu: [pdu[0]! | 0x80, 2, 0] }));
  const c = await clientFor(t, 'mbap', s);
  const err = await c.readHoldingRegisters(0, 1).catch((e: unknown) => e);
  t.notOk(err instanceof ModbusExceptionError);
  t.equal(classifyModbusError(err), 'io', String(err));
});

t.test('mbap: a late reply to a timed-out request is dropped, not taken for the next answer', async (t) => {
  const s = await slave('mbap', (unit, pdu, n) => (n === 1 ? { pdu: [3, 2, 0xde, 0xad], delayMs: 150 } : healthy(unit, pdu)));
  const c = await clientFor(t, 'mbap', s, 80);
  t.equal(classifyModbusError(await c.readHoldingRegisters(0, 1).catch((e: unknown) => e)), 'timeout');
  c.setTimeout(2000);
  await new Promise((r) => setTimeout(r, 40));
  const next = c.readHoldingRegisters(2, 1);
  t.same((await next).data, [0x0102], 'the answer with the current transaction id');
});

t.test('rtu: a garbled CRC is a CRC error', async (t) => {
  const s = await slave('rtu', (unit, pdu) => ({ ...(healthy(unit, pdu) as { pdu: number[] }), badCrc: true }));
  const c = await clientFor(t, 'rtu', s);
  const err = await c.readHoldingRegisters(0, 2).catch((e: unknown) => e);
  t.equal(classifyModbusError(err), 'crc', String(err));
  t.equal(crc16(Buffer.from([1, 3, 0, 0, 0, 1])), 0x0a84, 'CRC-16/MODBUS');
});

t.test('several slaves on one bus: one request on the wire at a time, each to its own unit', async (t) => {
  const s = await slave('mbap', (unit, pdu) => ({ ...(healthy(unit, pdu) as { pdu: number[] }), delayMs: 5 }));
  t.teardown(() => s.stop());
  const bus = new ModbusBus({ transport: 'tcp', host: '127.0.0.1', port: s.port, baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1, timeoutMs: 500 }, silentLogger());
  t.teardown(() => bus.stop());
  const reads = [1, 2, 3, 1, 2, 3].map((unit, i) => bus.run(unit, 500, (c) => c.readHoldingRegisters(i, 1)));
  t.same((await Promise.all(reads)).map((r) => r.data[0]), [0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105]);
  t.same(s.requests.map((r) => r.unit), [1, 2, 3, 1, 2, 3], 'in the order asked');
  t.equal(s.maxConcurrent, 1, 'never two requests waiting at once');
  t.equal(bus.connects, 1, 'one connection shared');
});
