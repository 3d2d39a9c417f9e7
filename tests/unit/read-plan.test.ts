import t from 'tap';
import { planReads } from '../../firmware-adapters/read-plan.js';
import { holding, input, type RegisterDef } from '../../firmware-adapters/schema.js';

const r = (addr: number, name: string, type: RegisterDef['type'] = 'uint16', table: 'holding' | 'input' = 'holding'): RegisterDef =>
  (table === 'holding' ? holding : input)(addr, name, { type, unit: '', description: name });

t.test('contiguous registers share one request; gaps, tables and the size limit split', async (t) => {
  const regs = [r(0, 'a'), r(1, 'b', 'uint32'), r(3, 'c'), r(10, 'd'), r(0, 'e', 'uint16', 'input')];
  const plan = planReads(regs, { maxRegisters: 125, maxGap: 0 });
  t.same(plan.map((p) => [p.table, p.address, p.length, p.registers.map((x) => x.name)]), [
    ['holding', 0, 4, ['a', 'b', 'c']], ['holding', 10, 1, ['d']], ['input', 0, 1, ['e']],
  ]);
  t.same(planReads(regs, { maxRegisters: 125, maxGap: 6 }).map((p) => [p.address, p.length]), [[0, 11], [0, 1]], 'a gap limit joins near groups');
  t.same(planReads(regs, { maxRegisters: 2, maxGap: 0 }).map((p) => [p.address, p.length]), [[0, 1], [1, 2], [3, 1], [10, 1], [0, 1]], 'size limit splits');
});

