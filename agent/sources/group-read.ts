/**
 * Reads the blocks of one poll group so that one bad block never blinds the others.
 *
 * - A block answered with a register exception (01-04: the device lacks or refuses one of the
 *   registers in it) is read again register by register; the registers that still raise it are
 *   returned as refused.
 * - A block that times out (after its retries) while another block of the group answers gives
 *   bad samples (reason timeout) and the others flow as good. After SILENT_POLLS such polls in a
 *   row it is read once register by register: the registers that time out alone are returned as
 *   silent; when every one answers alone, the block is returned as one to read register by register.
 *   Before any register is called silent, a block that answered in this poll is asked once more
 *   (no retries): when it times out too, the link died during the split, and the poll fails as a
 *   link failure instead of marking the block's registers unsupported.
 * - When no block answers (the first one times out, then the next one, asked once without
 *   retries, too) the link or the slave is gone: the first timeout is thrown, as is any other
 *   failure (gateway exceptions 0A/0B, busy, CRC, I/O, cannot connect).
 */
import type { ReadRequest } from '../../firmware-adapters/read-plan.js';
import type { RegisterDef } from '../../firmware-adapters/schema.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { Sample } from '../../protocol/values.js';
import { dueForSplit, nextStreaks, readOrder, singleRequest, type SilenceStreaks } from './block-silence.js';

/** Exception codes that speak of the register asked for, not of the link (illegal function, address, value; slave device failure). */
export const REGISTER_EXCEPTIONS: ReadonlySet<number> = new Set([1, 2, 3, 4]);

/** The exception code of a failed request when the slave answered with a register exception (01-04). */
export function registerException(err: unknown): number | undefined {
  if (!(err instanceof FaultlineError) || err.code !== 'FL_ERR_MODBUS_EXCEPTION') return undefined;
  const code = err.context['modbusCode'];
  return typeof code === 'number' && REGISTER_EXCEPTIONS.has(code) ? code : undefined;
}

export function isTimeout(err: unknown): boolean {
  return err instanceof FaultlineError && err.code === 'FL_ERR_MODBUS_TIMEOUT';
}

export interface BlockReader {
  /** Reads one request, retrying `retries` times (default: as configured); throws FL_ERR_MODBUS_*. */
  readBlock(req: ReadRequest, retries?: number): Promise<Sample[]>;
  now(): number;
}

export interface GroupRead {
  /** Samples of the registers read, and bad ones (reason timeout) for the blocks that timed out. */
  samples: Sample[];
  /** Registers the device answered alone with a register exception. */
  refused: Array<{ def: RegisterDef; code: number }>;
  /** Registers that timed out alone in a split of a silent block. */
  silent: RegisterDef[];
  /** Registers of a silent block that each answered alone: the block is to be read register by register. */
  alone: RegisterDef[];
  /** The streaks for the next poll. */
  streaks: SilenceStreaks;
}

const timedOutSamples = (req: ReadRequest, timeMs: number): Sample[] =>
  req.registers.map((def) => ({ parameter: def.name, value: 0, quality: 'bad', reason: 'timeout', timeMs }));

export async function readGroup(reqs: readonly ReadRequest[], streaks: SilenceStreaks, io: BlockReader): Promise<GroupRead> {
  const out: GroupRead = { samples: [], refused: [], silent: [], alone: [], streaks };
  const timedOut: ReadRequest[] = [];
  /** A block the device answered in this poll (with data or a register exception): the proof that the link is alive. */
  let proof: ReadRequest | undefined;
  let firstTimeout: unknown;
  for (const req of readOrder(reqs, streaks)) {
    if (proof && dueForSplit(req, streaks)) {
      const refusedBefore = out.refused.length;
      const silent = await split(req, io, out);
      if (silent.length > 0) await proveLink(proof, io);
      out.silent.push(...silent);
      if (silent.length === 0 && out.refused.length === refusedBefore) out.alone.push(...req.registers);
      continue;
    }
    // Nothing answered yet and a block already timed out: one ask of the next, without retries, tells a silent block from a dead link.
    const proving = !proof && timedOut.length > 0;
    try {
      out.samples.push(...await io.readBlock(req, proving ? 0 : undefined));
      proof ??= req;
      continue;
    } catch (err) {
      const code = registerException(err);
      if (code === undefined) {
        if (!isTimeout(err)) throw err;
        if (proving) throw firstTimeout;
        firstTimeout = err;
        timedOut.push(req);
        continue;
      }
      proof ??= req;
      if (req.registers.length === 1) { out.refused.push({ def: req.registers[0]!, code }); continue; }
    }
    // An exception block: register by register; a register that times out alone here goes out bad (timeout), not unsupported.
    const t = io.now();
    for (const def of await split(req, io, out)) out.samples.push(...timedOutSamples(singleRequest(def), t));
  }
  if (!proof && timedOut.length > 0) throw firstTimeout;
  const t = io.now();
  for (const req of timedOut) out.samples.push(...timedOutSamples(req, t));
  out.streaks = nextStreaks(streaks, timedOut);
  return out;
}

/** Asks `req` (which answered earlier in the poll) once more, without retries; throws when the device no longer answers at all. */
async function proveLink(req: ReadRequest, io: BlockReader): Promise<void> {
  try {
    await io.readBlock(req, 0);
  } catch (err) {
    if (registerException(err) === undefined) throw err;
  }
}

/** Reads each register of `req` alone: samples and refusals into `out`; returns those that timed out. */
async function split(req: ReadRequest, io: BlockReader, out: GroupRead): Promise<RegisterDef[]> {
  const silent: RegisterDef[] = [];
  for (const def of req.registers) {
    try {
      out.samples.push(...await io.readBlock(singleRequest(def)));
    } catch (err) {
      const code = registerException(err);
      if (code !== undefined) out.refused.push({ def, code });
      else if (isTimeout(err)) silent.push(def);
      else throw err;
    }
  }
  return silent;
}
