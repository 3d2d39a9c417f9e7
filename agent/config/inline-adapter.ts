/**
 * Inline register maps: a device that no adapter file describes can list its registers (and
 * threshold rules) in the agent config itself, with the same fields as an adapter's (type,
 * address, word order, scale, unit, …). They become a small adapter of their own, checked by the
 * same validator as adapter files (inline-map-problems.ts, run with the config checks only: the
 * running agent does not load the validator).
 */
import type { Adapter, RegisterDef, ThresholdRule } from '../../firmware-adapters/schema.js';

export interface InlineMapDevice {
  id: string;
  site: string;
  model: string;
  registers?: unknown[] | undefined;
  thresholds?: unknown[] | undefined;
  modbus?: { unitId?: number | undefined } | undefined;
}

/** The adapter id an inline map gets: `inline-<site>-<device>`, lower case. */
export function inlineAdapterId(d: { id: string; site: string }): string {
  return `inline-${d.site}-${d.id}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** The device's inline map as an adapter (validated with the config: inline-map-problems.ts). */
export function inlineAdapter(d: InlineMapDevice): Adapter {
  return {
    id: inlineAdapterId(d), vendor: 'inline', description: `register map of ${d.site}/${d.id} from the agent config`,
    match: { model: `^${d.model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` }, unitId: d.modbus?.unitId ?? 1,
    registers: (d.registers ?? []) as RegisterDef[], faultTables: [], thresholds: (d.thresholds ?? []) as ThresholdRule[],
    simulation: { signals: {}, faultEffects: {} }, knowledge: [],
  };
}
