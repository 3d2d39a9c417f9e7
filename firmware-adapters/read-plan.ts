/**
 * Groups an adapter's registers into as few Modbus read requests as possible: registers of
 * one table that are contiguous (or separated by at most `maxGap` unused registers) share a
 * request, up to `maxRegisters` registers per request (125 is the Modbus limit for FC 3/4).
 */
import { BIT_TABLES, registerSpan, type RegisterDef, type RegisterTable } from './schema.js';

export interface ReadRequest {
  table: RegisterTable;
  address: number;
  length: number;
  registers: RegisterDef[];
}

export interface ReadPlanOptions {
  maxRegisters: number;
  maxGap: number;
}

export const DEFAULT_READ_PLAN: ReadPlanOptions = { maxRegisters: 125, maxGap: 0 };

/** FC 1/2 may read up to 2000 bits in one request. */
const MAX_BITS = 2000;

export function planReads(registers: readonly RegisterDef[], opts: ReadPlanOptions = DEFAULT_READ_PLAN): ReadRequest[] {
  const out: ReadRequest[] = [];
  const byTable = new Map<RegisterTable, RegisterDef[]>();
  for (const r of registers) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
  for (const [table, regs] of byTable) {
    regs.sort((a, b) => a.address - b.address);
    const limit = BIT_TABLES.includes(table) ? MAX_BITS : opts.maxRegisters;
    let cur: ReadRequest | undefined;
    for (const r of regs) {
      const end = r.address + registerSpan(r);
      const gap = cur ? r.address - (cur.address + cur.length) : Infinity;
      if (cur && gap <= opts.maxGap && end - cur.address <= limit) {
        cur.length = Math.max(cur.length, end - cur.address);
        cur.registers.push(r);
      } else {
        cur = { table, address: r.address, length: end - r.address, registers: [r] };
        out.push(cur);
      }
    }
  }
  return out;
}
