/** One line per thing an adapter's detectors watch, for `faultline agent check`. Pure. */
import type { Adapter, RuleCondition } from '../../firmware-adapters/schema.js';
import type { SystemDetectionConfig } from './system-detection.js';

const when = (c: RuleCondition | undefined): string => (c ? ` while ${c.parameter} ${c.op} ${c.value}` : '');

export function describeDetection(adapter: Adapter): string[] {
  return [
    ...adapter.faultTables.map((t) => (t.kind === 'bitfield'
      ? `watch ${t.register}: bitfield, ${Object.keys(t.codes).length} fault bits${t.mask !== undefined ? ` (mask 0x${t.mask.toString(16)})` : ''}`
      : `watch ${t.register}: ${Object.keys(t.codes).length} fault codes`)),
    ...adapter.thresholds.map((r) => `watch ${r.parameter} ${r.direction} ${r.limit} (deadband ${r.deadband}, on ${r.onDelayMs} ms, off ${r.offDelayMs} ms)${when(r.when)} -> ${r.code}`),
    ...(adapter.rules ?? []).map((r) => (r.kind === 'rate'
      ? `watch ${r.parameter} rate ${r.direction} > ${r.limitPerS}/s over ${r.windowMs} ms (deadband ${r.deadbandPerS}/s)${when(r.when)} -> ${r.code}`
      : `watch ${r.parameter} stuck within ${r.epsilon} for ${r.afterMs} ms${when(r.when)} -> ${r.code}`)),
    ...(adapter.logPatterns ?? []).map((p) => `watch logs /${p.pattern}/${p.app ? ` from ${p.app}` : ''} -> ${p.code}`),
  ];
}

export function describeSystemDetection(cfg: SystemDetectionConfig): string[] {
  const level = (name: string, r: SystemDetectionConfig['diskFull'], unit: string): string[] =>
    (r.enabled ? [`watch ${name} above ${r.raiseAt}${unit} (clear at ${r.clearAt}${unit}, on ${r.onDelayMs} ms)`] : []);
  return [
    ...level('disk use per mount', cfg.diskFull, '%'),
    ...cfg.processes.map((p) => `watch process ${p} is running (down after ${cfg.processDownDelayMs} ms)`),
    ...cfg.interfaces.map((i) => `watch link ${i} is up (down after ${cfg.linkDownDelayMs} ms)`),
    ...level('CPU load', cfg.cpuHigh, '%'),
    ...level('memory use', cfg.memoryHigh, '%'),
    ...level('temperatures', cfg.temperatureHigh, ' °C'),
  ];
}
