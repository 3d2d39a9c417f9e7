import t from 'tap';
import { crc16 } from '../../firmware-adapters/modbus-crc.js';
import { answer, readSpan, requestLength, withCrc } from '../../firmware-adapters/simulator/rtu-frame.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { DeviceModel } from '../../firmware-adapters/simulator/device-model.js';

t.test('CRC-16/MODBUS of the textbook frame', async (t) => {
  t.same([...withCrc([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])], [0x01, 0x03, 0x00, 0x00, 0x00, 0x0a, 0xc5, 0xcd]);
  t.equal(crc16(Uint8Array.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a, 0xc5, 0xcd])), 0, 'a frame with its CRC checks to 0');
});

t.test('request length by function code', async (t) => {
  t.equal(requestLength(Uint8Array.from([1])), undefined);
  t.equal(requestLength(Uint8Array.from([1, 3])), 8);
  t.equal(requestLength(Uint8Array.from([1, 16, 0, 0, 0, 2])), undefined);
  t.equal(requestLength(Uint8Array.from([1, 16, 0, 0, 0, 2, 4])), 13);
  t.equal(requestLength(Uint8Array.from([1, 0x2b])), -1);
});

t.test('answers reads, writes and refusals', async (t) => {
  const written: Array<[string, number, number[]]> = [];
  const target = {
    readWords: (table: string, address: number, length: number) => Array.from({ length }, (_, i) => (table === 'coil' ? (address + i) % 2 : address + i)),
    write: (table: 'holding' | 'coil', address: number, words: number[]) => { written.push([table, address, words]); return address < 100; },
  };
  t.same([...answer(withCrc([1, 3, 0, 10, 0, 2]), target)].slice(0, 7), [1, 3, 4, 0, 10, 0, 11], 'FC 3');
  t.same([...answer(withCrc([1, 1, 0, 0, 0, 10]), target)].slice(0, 5), [1, 1, 2, 0b10101010, 0b10], 'FC 1 packs bits LSB first');
  t.same([...answer(withCrc([1, 6, 0, 5, 0x12, 0x34]), target)].slice(0, 6), [1, 6, 0, 5, 0x12, 0x34], 'FC 6 echoes');
  t.same([...answer(withCrc([1, 16, 0, 7, 0, 2, 4, 0, 1, 0, 2]), target)].slice(0, 6), [1, 16, 0, 7, 0, 2], 'FC 16');
  t.same([...answer(withCrc([1, 15, 0, 1, 0, 3, 1, 0b101]), target)].slice(0, 6), [1, 15, 0, 1, 0, 3], 'FC 15');
  t.same(written, [['holding', 5, [0x1234]], ['holding', 7, [1, 2]], ['coil', 1, [1, 0, 1]]]);
  t.same([...answer(withCrc([1, 6, 0x01, 0x00, 0, 1]), target)].slice(0, 3), [1, 0x86, 2], 'a refused write is exception 2');
  t.same([...answer(withCrc([1, 3, 0, 0, 0, 200]), target)].slice(0, 3), [1, 0x83, 3], 'too many registers is exception 3');
  t.same([...answer(withCrc([1, 0x2b, 0, 0, 0, 0]), target)].slice(0, 3), [1, 0xab, 1], 'unknown function is exception 1');
});

t.test('a device model that refuses an address answers the exception it was given (RTU and TCP simulators)', async (t) => {
  const model = new DeviceModel(vfd);
  model.refuse('holding', 257, 2);
  model.refuse('holding', 3, 0x0b);
  const target = { readWords: (table: 'holding', a: number, n: number) => model.readWords(table, a, n, 0), write: (table: 'holding' | 'coil', a: number, w: number[]) => model.write(table, a, w).length > 0 };
  t.same([...answer(withCrc([1, 3, 0x01, 0x00, 0, 2]), target)].slice(0, 3), [1, 0x83, 2], 'a block touching 257 is exception 02');
  t.same([...answer(withCrc([1, 3, 0x01, 0x00, 0, 1]), target)].slice(0, 3), [1, 3, 2], '256 alone answers');
  t.same([...answer(withCrc([1, 3, 0, 0, 0, 4]), target)].slice(0, 3), [1, 0x83, 0x0b], 'the gateway exception code is passed on');
  t.same([...answer(withCrc([1, 6, 0x01, 0x01, 0, 1]), target)].slice(0, 3), [1, 0x86, 2], 'a write to a refused address too');
  t.throws(() => model.readWords('holding', 256, 2, 0), { name: 'ModbusExceptionReply', modbusErrorCode: 2 });
  model.accept();
  t.equal(model.readWords('holding', 256, 2, 0).length, 2, 'accept() undoes every refusal');
});

t.test('what a read frame asks for (the RTU line leaves reads of muted registers unanswered)', async (t) => {
  t.same(readSpan(withCrc([1, 3, 0x01, 0x00, 0, 2])), { table: 'holding', address: 256, length: 2 });
  t.same(readSpan(withCrc([1, 4, 0, 5, 0, 1])), { table: 'input', address: 5, length: 1 });
  t.same(readSpan(withCrc([1, 1, 0, 0, 0, 16])), { table: 'coil', address: 0, length: 16 });
  t.same(readSpan(withCrc([1, 2, 0, 8, 0, 3])), { table: 'discrete', address: 8, length: 3 });
  t.equal(readSpan(withCrc([1, 6, 0, 0, 0, 1])), undefined, 'a write is no read');
  const m = new DeviceModel(vfd);
  m.mute('holding', 257);
  t.ok(m.mutes('holding', 256, 2), 'a block touching 257');
  t.ok(m.mutes('holding', 257, 1), '257 alone');
  t.notOk(m.mutes('holding', 256, 1), '256 alone answers');
  t.notOk(m.mutes('input', 257, 1), 'another table');
  m.unmute();
  t.notOk(m.mutes('holding', 257, 1), 'unmuted');
});
