/** A synthetic device with `n` holding registers (a fault-code register among them) for benchmarks. */
import { defineAdapter, holding, type Adapter } from '../../firmware-adapters/schema.js';

export function benchAdapter(n = 100): Adapter {
  const registers = Array.from({ length: n - 1 }, (_, i) => holding(i, `p${i}`, { type: 'uint16', scale: 0.1, unit: '', description: `parameter ${i}` }));
  registers.push(holding(n - 1, 'fault_code', { type: 'uint16', unit: '', description: 'fault code' }));
  return defineAdapter({
    id: 'bench-device', vendor: 'Bench', description: `${n} registers`, match: { model: '^BENCH$' }, unitId: 1, registers,
    faultTables: [{
      register: 'fault_code', related: ['p0', 'p1', 'p2'], unknown: { category: 'hardware', severity: 'major', remedy: 'n/a' },
      codes: { 1: { code: 'bench.trip', category: 'hardware', severity: 'major', message: 'Bench trip', remedy: 'Clear it.' } },
    }],
    thresholds: [], knowledge: [],
    simulation: { signals: Object.fromEntries(registers.slice(0, -1).map((r) => [r.name, { base: 50, amplitude: 5, periodS: 30, noise: 0.5 }])), faultEffects: {} },
  });
}
