/** Problems of the inline register maps in an agent config, each at its key (devices.0.registers.2.type). */
import { validateAdapter } from '../../firmware-adapters/validate.js';
import { locate, type ConfigProblem, type LocateKey } from '../../protocol/config-errors.js';
import { inlineAdapter, type InlineMapDevice } from './inline-adapter.js';

/** Every problem of every device's inline map, placed at its key in the config. */
export function inlineMapProblems(data: unknown, lineOf: LocateKey): ConfigProblem[] {
  const devices = (data as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(devices)) return [];
  const problems: ConfigProblem[] = [];
  devices.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return;
    const d = raw as Partial<InlineMapDevice>;
    if (d.registers === undefined && d.thresholds === undefined) return;
    if (!Array.isArray(d.registers)) return; // the schema says what is wrong
    if (typeof d.id !== 'string' || typeof d.site !== 'string' || typeof d.model !== 'string') return;
    const adapter = inlineAdapter({ id: d.id, site: d.site, model: d.model, registers: d.registers, thresholds: Array.isArray(d.thresholds) ? d.thresholds : [], modbus: d.modbus });
    for (const p of validateAdapter(adapter)) {
      // Only what the config wrote can be wrong: registers[2].type -> devices.0.registers.2.type
      if (!/^(registers|thresholds)\b/.test(p.path)) continue;
      const path = ['devices', String(i), ...p.path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)];
      const found = locate(lineOf, path);
      const at = found.line !== undefined ? found : locate(lineOf, path.slice(0, 4));
      problems.push({ key: path.join('.'), ...at, message: `device ${d.site}/${d.id}: ${p.message}`, fix: 'fix the inline register map (the fields of an adapter register: firmware-adapters/schema.ts)' });
    }
  });
  return problems;
}
