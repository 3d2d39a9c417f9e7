/**
 * Host health from systeminformation: CPU load, memory use, fullest disk. The library is loaded
 * only when system metrics are enabled, to keep the agent small on devices that do not need it.
 */
import type { ParameterInfo, Sample } from '../../protocol/values.js';

export const SYSTEM_PARAMETERS: readonly ParameterInfo[] = [
  { name: 'system.cpu_load', unit: '%', description: 'CPU load, all cores', writable: false, source: 'system' },
  { name: 'system.mem_used', unit: '%', description: 'Memory in use (without buffers/cache)', writable: false, source: 'system' },
  { name: 'system.disk_used', unit: '%', description: 'Use of the fullest mounted file system', writable: false, source: 'system' },
];

type SI = typeof import('systeminformation');
let si: Promise<SI> | undefined;

export async function readSystemMetrics(now: () => number = Date.now): Promise<Sample[]> {
  const lib = await (si ??= import('systeminformation'));
  const [load, mem, disks] = await Promise.all([lib.currentLoad(), lib.mem(), lib.fsSize()]);
  const t = now();
  const diskUse = disks.reduce((m, d) => (Number.isFinite(d.use) ? Math.max(m, d.use) : m), 0);
  const sample = (parameter: string, value: number): Sample => ({ parameter, value, quality: Number.isFinite(value) ? 'good' : 'bad', timeMs: t });
  return [
    sample('system.cpu_load', load.currentLoad),
    sample('system.mem_used', mem.total > 0 ? (100 * mem.active) / mem.total : Number.NaN),
    sample('system.disk_used', diskUse),
  ];
}
