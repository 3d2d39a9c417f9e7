/**
 * How one poll group's blocks are read when one of them times out (issue #14, item 1): the plan
 * around unsupported registers, the streak of silent polls, the read order, and readGroup over a
 * scripted device (which block answers, refuses or stays silent): a silent block never discards
 * the blocks that answered, a group where nothing answers is a link failure that costs at most
 * two block timeouts, and a block silent poll after poll is split once.
 */
import t from 'tap';
import { holding, input } from '../../firmware-adapters/schema.js';
import type { ReadRequest } from '../../firmware-adapters/read-plan.js';
import { blockKey, dueForSplit, nextStreaks, planAround, readOrder, SILENT_POLLS } from '../../agent/sources/block-silence.js';
import { readGroup, type BlockReader } from '../../agent/sources/group-read.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { Sample } from '../../protocol/values.js';

const a0 = holding(0, 'a0', { type: 'uint16', unit: '', description: '' });
const a1 = holding(1, 'a1', { type: 'uint16', unit: '', description: '' });
const a2 = holding(2, 'a2', { type: 'uint32', unit: '', description: '' });
const a4 = holding(4, 'a4', { type: 'uint16', unit: '', description: '' });
const b0 = holding(0x100, 'b0', { type: 'uint16', unit: '', description: '' });
const b1 = holding(0x101, 'b1', { type: 'uint16', unit: '', description: '' });
const i0 = input(0, 'i0', { type: 'uint16', unit: '', description: '' });
const PLAN = { maxRegisters: 125, maxGap: 0 };
const shape = (reqs: readonly ReadRequest[]): string[] => reqs.map((r) => `${r.table}:${r.address}+${r.length}[${r.registers.map((d) => d.name).join(',')}]`);

t.test('planAround: no request spans a register left out, even through a gap; registers read alone get a request each', async (t) => {
  t.same(shape(planAround([a0, a1, a2, a4], [], new Set(), PLAN)), ['holding:0+5[a0,a1,a2,a4]'], 'nothing left out: planReads');
  t.same(shape(planAround([a0, a2, a4], [a1], new Set(), PLAN)), ['holding:0+1[a0]', 'holding:2+3[a2,a4]'], 'a1 left out: split at its address');
  t.same(shape(planAround([a0, a2, a4], [a1], new Set(), { maxRegisters: 125, maxGap: 4 })), ['holding:0+1[a0]', 'holding:2+3[a2,a4]'], 'a gap that would read a1 is not bridged');
  t.same(shape(planAround([a0, a4], [a1], new Set(), { maxRegisters: 125, maxGap: 4 })), ['holding:0+1[a0]', 'holding:4+1[a4]']);
  t.same(shape(planAround([a0, a1, i0], [b0], new Set(), PLAN)), ['holding:0+2[a0,a1]', 'input:0+1[i0]'], 'a register elsewhere changes nothing');
  t.same(shape(planAround([a0, a1, a2, b0, b1], [], new Set(['b0', 'b1']), PLAN)), ['holding:0+4[a0,a1,a2]', 'holding:256+1[b0]', 'holding:257+1[b1]'], 'b0, b1 alone');
});

t.test('streaks: a block counts the polls it timed out while another answered; the rest start again', async (t) => {
  const A: ReadRequest = { table: 'holding', address: 0, length: 2, registers: [a0, a1] };
  const B: ReadRequest = { table: 'holding', address: 0x100, length: 2, registers: [b0, b1] };
  let s = nextStreaks(new Map(), [B]);
  t.same([...s], [[blockKey(B), 1]]);
  t.notOk(dueForSplit(B, s));
  t.same(readOrder([B, A], new Map()).map(blockKey), [blockKey(B), blockKey(A)], 'plan order when nothing is suspect');
  t.same(readOrder([B, A], s).map(blockKey), [blockKey(A), blockKey(B)], 'a suspect block is read last');
  for (let i = 1; i < SILENT_POLLS; i++) s = nextStreaks(s, [B]);
  t.ok(dueForSplit(B, s), `split after ${SILENT_POLLS} polls in a row`);
  t.same([...nextStreaks(s, [])], [], 'a block that answers starts again from nothing');
});

/** A scripted device (dead from the start, or after `deadAfter` reads): reads touching a silent address (or of a silentAlone register alone) time out, refused addresses raise exception 02, the rest answer. */
function device(opts: { silent?: number[]; silentAlone?: number[]; refused?: number[]; dead?: boolean; deadAfter?: number }): BlockReader & { asked: Array<{ key: string; retries: number | undefined }> } {
  const asked: Array<{ key: string; retries: number | undefined }> = [];
  return {
    asked,
    now: () => 1000,
    readBlock: async (req, retries) => {
      asked.push({ key: blockKey(req), retries });
      const touches = (list: number[] | undefined): boolean => (list ?? []).some((x) => x >= req.address && x < req.address + req.length);
      const alone = req.registers.length === 1 && (opts.silentAlone ?? []).includes(req.address);
      const died = opts.deadAfter !== undefined && asked.length > opts.deadAfter;
      if (opts.dead || died || touches(opts.silent) || alone) throw new FaultlineError('FL_ERR_MODBUS_TIMEOUT', 'timed out', { context: { kind: 'timeout' } });
      if (touches(opts.refused)) throw new FaultlineError('FL_ERR_MODBUS_EXCEPTION', 'exception 2', { context: { kind: 'exception', modbusCode: 2 } });
      return req.registers.map((d): Sample => ({ parameter: d.name, value: 1, quality: 'good', timeMs: 1000 }));
    },
  };
}

const A: ReadRequest = { table: 'holding', address: 0, length: 2, registers: [a0, a1] };
const B: ReadRequest = { table: 'holding', address: 0x100, length: 2, registers: [b0, b1] };
const q = (samples: readonly Sample[]): string[] => samples.map((s) => `${s.parameter}:${s.quality}${s.reason ? `/${s.reason}` : ''}`).sort();

t.test('readGroup: a silent block gives bad samples (timeout), the block that answered flows as good', async (t) => {
  const dev = device({ silent: [0x101] });
  const got = await readGroup([B, A], new Map(), dev);
  t.same(q(got.samples), ['a0:good', 'a1:good', 'b0:bad/timeout', 'b1:bad/timeout']);
  t.same([...got.streaks], [[blockKey(B), 1]], 'B counts one silent poll');
  t.same(dev.asked, [{ key: blockKey(B), retries: undefined }, { key: blockKey(A), retries: 0 }], 'B with its retries, then A asked once to prove the link');
  t.same(got.silent, []);
});

t.test('readGroup: nothing answers (the link is gone): the poll fails, after at most two blocks', async (t) => {
  const dev = device({ dead: true });
  const C: ReadRequest = { table: 'input', address: 0, length: 1, registers: [i0] };
  await t.rejects(readGroup([A, B, C], new Map(), dev), { code: 'FL_ERR_MODBUS_TIMEOUT' });
  t.equal(dev.asked.length, 2, 'two blocks asked, not three');
  const one = device({ silent: [0] });
  await t.rejects(readGroup([A], new Map(), one), { code: 'FL_ERR_MODBUS_TIMEOUT' }, 'a group whose only block times out is the link case');
  t.same((await readGroup([], new Map(), device({}))).samples, [], 'an empty plan reads nothing and does not fail');
});

t.test('readGroup: after SILENT_POLLS polls the silent block is read register by register once', async (t) => {
  const dev = device({ silent: [0x101] });
  const streaks = new Map([[blockKey(B), SILENT_POLLS]]);
  const got = await readGroup([B, A], streaks, dev);
  t.same(got.silent.map((d) => d.name), ['b1'], 'only b1 stays silent alone');
  t.same(q(got.samples), ['a0:good', 'a1:good', 'b0:good'], 'b0 answers alone');
  t.same(dev.asked, [{ key: blockKey(A), retries: undefined }, { key: 'holding:256+1', retries: undefined }, { key: 'holding:257+1', retries: undefined }, { key: blockKey(A), retries: 0 }],
    'A first, then B split, then A asked once more to prove the link before b1 is called silent');
  t.same([...got.streaks], [], 'the split block starts again');
  t.same(got.alone, []);

  const whole = await readGroup([B, A], streaks, device({}));
  t.same(whole.alone.map((d) => d.name), ['b0', 'b1'], 'every register answers alone: read them alone from now on');
  const refusing = await readGroup([B, A], streaks, device({ refused: [0x100] }));
  t.same(refusing.refused.map((r) => [r.def.name, r.code]), [['b0', 2]], 'a register refused alone is refused');
  t.same(refusing.alone, [], 'and the block is re-planned around it, not read alone');
});

t.test('readGroup: the link dies during the split: the poll fails as a link failure, no register is called silent', async (t) => {
  const streaks = new Map([[blockKey(B), SILENT_POLLS]]);
  const dev = device({ silent: [0x101], deadAfter: 1 });
  await t.rejects(readGroup([B, A], streaks, dev), { code: 'FL_ERR_MODBUS_TIMEOUT' }, 'not a result with b0 and b1 silent');
  t.same(dev.asked.map((x) => x.key), [blockKey(A), 'holding:256+1', 'holding:257+1', blockKey(A)], 'A answered, then nothing: the proof read of A fails');
  await t.rejects(readGroup([B, A], streaks, device({ deadAfter: 2 })), { code: 'FL_ERR_MODBUS_TIMEOUT' }, 'nor when it dies after b0 answered alone');
  const refusing = device({ silent: [0x101], refused: [0, 1] });
  const got = await readGroup([B, A], streaks, refusing);
  t.same(got.silent.map((d) => d.name), ['b1'], 'a block that answered with an exception proves the link too');
  t.same(refusing.asked.at(-1), { key: blockKey(A), retries: 0 });
});

t.test('readGroup: not split while nothing else answered, and never for a group of one block', async (t) => {
  const dev = device({ silent: [0] });
  await t.rejects(readGroup([A], new Map([[blockKey(A), SILENT_POLLS]]), dev), { code: 'FL_ERR_MODBUS_TIMEOUT' });
  t.same(dev.asked.map((x) => x.key), [blockKey(A)], 'one block, read as a block');
});

t.test('readGroup: an exception block is split as before; a register that then times out alone goes out bad (timeout), not unsupported', async (t) => {
  const got = await readGroup([A, B], new Map(), device({ refused: [0x100], silentAlone: [0x101] }));
  t.same(got.refused.map((r) => [r.def.name, r.code]), [['b0', 2]], 'b0 refused alone');
  t.same(got.silent, [], 'b1 is not marked silent after one timeout');
  t.same(q(got.samples), ['a0:good', 'a1:good', 'b1:bad/timeout']);
  t.same([...got.streaks], [], 'an exception block is no silent block');
});

t.test('readGroup: a failure that is not about a register fails the poll', async (t) => {
  const dev: BlockReader = { now: () => 0, readBlock: async () => { throw new FaultlineError('FL_ERR_MODBUS_IO', 'connection reset', { context: {} }); } };
  await t.rejects(readGroup([A, B], new Map(), dev), { code: 'FL_ERR_MODBUS_IO' });
});
