/**
 * The read plan of one poll group as the device lets it be read (pure: plain data in and out).
 *
 * A block that times out while another block of its group answers is silent, not a dead link:
 * polls count how many times in a row (its streak). The blocks that answered last time are read
 * first, so a healthy block proves the link before a suspect one is waited for. After
 * SILENT_POLLS polls in a row the block is read once register by register; the registers that
 * stay silent alone leave the plan (unsupported), and no later request spans their addresses, so
 * the timeouts do not come back every poll.
 */
import { planReads, type ReadPlanOptions, type ReadRequest } from '../../firmware-adapters/read-plan.js';
import { registerSpan, type RegisterDef } from '../../firmware-adapters/schema.js';

/** Polls in a row a block times out while another block of its group answers before it is read register by register. */
export const SILENT_POLLS = 2;

/** Consecutive polls in which a block (by blockKey) timed out while another block of its group answered. */
export type SilenceStreaks = ReadonlyMap<string, number>;

/** The streaks of a group where every block answered (shared: a healthy poll allocates nothing). */
const NONE: SilenceStreaks = new Map();

export function blockKey(req: ReadRequest): string {
  return `${req.table}:${req.address}+${req.length}`;
}

/** One register alone in a request. */
export function singleRequest(def: RegisterDef): ReadRequest {
  return { table: def.table, address: def.address, length: registerSpan(def), registers: [def] };
}

/** The blocks in the order to read them: those that answered last time first (stable otherwise). */
export function readOrder(reqs: readonly ReadRequest[], streaks: SilenceStreaks): readonly ReadRequest[] {
  if (streaks.size === 0) return reqs;
  const suspect = (r: ReadRequest): number => ((streaks.get(blockKey(r)) ?? 0) > 0 ? 1 : 0);
  return [...reqs].sort((a, b) => suspect(a) - suspect(b));
}

/** Whether a block has been silent long enough to be read register by register (only once another block answered in this poll). */
export function dueForSplit(req: ReadRequest, streaks: SilenceStreaks): boolean {
  return (streaks.get(blockKey(req)) ?? 0) >= SILENT_POLLS;
}

/**
 * The streaks after a poll in which some block answered: each block of `timedOut` counts one
 * more, every other block of the plan starts again from nothing (it answered, or was split).
 */
export function nextStreaks(streaks: SilenceStreaks, timedOut: readonly ReadRequest[]): SilenceStreaks {
  if (timedOut.length === 0) return NONE;
  const next = new Map<string, number>();
  for (const req of timedOut) next.set(blockKey(req), (streaks.get(blockKey(req)) ?? 0) + 1);
  return next;
}

/**
 * planReads over `registers`, except that no request spans the address of a register in `left`
 * (unsupported: left out of the plan; a device silent for an address stays silent for any read
 * that covers it, even through a gap), and each register named in `alone` gets a request of its
 * own (a block the device answers only register by register).
 */
export function planAround(registers: readonly RegisterDef[], left: readonly RegisterDef[], alone: ReadonlySet<string>, opts: ReadPlanOptions): ReadRequest[] {
  const out: ReadRequest[] = [];
  for (const req of planReads(registers.filter((r) => !alone.has(r.name)), opts)) {
    const avoided = left.filter((l) => l.table === req.table && l.address < req.address + req.length && l.address + registerSpan(l) > req.address);
    if (avoided.length === 0) { out.push(req); continue; }
    let cur: ReadRequest | undefined;
    for (const r of req.registers) {
      const curEnd = cur ? cur.address + cur.length : 0;
      const blocked = avoided.some((l) => l.address < r.address && l.address + registerSpan(l) > curEnd);
      if (cur && !blocked) {
        cur.length = Math.max(cur.length, r.address + registerSpan(r) - cur.address);
        cur.registers.push(r);
      } else {
        cur = singleRequest(r);
        out.push(cur);
      }
    }
  }
  for (const r of registers) if (alone.has(r.name)) out.push(singleRequest(r));
  return out;
}
