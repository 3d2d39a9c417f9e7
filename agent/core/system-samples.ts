/**
 * Names of the host-health samples the system source produces and the system detectors judge.
 * Per-instance samples carry the instance after a colon: `system.disk_used:/var`,
 * `system.process_up:nginx`, `system.net_up:eth0`, `system.temperature:cpu`. Pure.
 */
import type { ParameterInfo } from '../../protocol/values.js';

export const SYSTEM_METRICS = {
  cpuLoad: { name: 'system.cpu_load', unit: '%', description: 'CPU load, all cores' },
  memUsed: { name: 'system.mem_used', unit: '%', description: 'Memory in use (without buffers/cache)' },
  diskUsedMax: { name: 'system.disk_used', unit: '%', description: 'Use of the fullest mounted file system' },
  diskUsed: { name: 'system.disk_used:', unit: '%', description: 'Use of the file system mounted at' },
  temperature: { name: 'system.temperature:', unit: '°C', description: 'Temperature of sensor' },
  netUp: { name: 'system.net_up:', unit: '', description: 'Link up (1) or down (0) of network interface' },
  netRxErrors: { name: 'system.net_rx_errors:', unit: '', description: 'Receive errors since boot on' },
  netTxErrors: { name: 'system.net_tx_errors:', unit: '', description: 'Transmit errors since boot on' },
  netRxDropped: { name: 'system.net_rx_dropped:', unit: '', description: 'Received packets dropped since boot on' },
  netTxDropped: { name: 'system.net_tx_dropped:', unit: '', description: 'Transmit packets dropped since boot on' },
  processUp: { name: 'system.process_up:', unit: '', description: 'Running (1) or not (0): process' },
} as const;

export type SystemMetric = keyof typeof SYSTEM_METRICS;

/** The sample name of a metric, with its instance for per-instance metrics. */
export function systemSampleName(metric: SystemMetric, instance = ''): string {
  return `${SYSTEM_METRICS[metric].name}${instance}`;
}

/** Splits a sample name into its metric and instance; undefined for a name that is not a system sample. */
export function parseSystemSample(name: string): { metric: SystemMetric; instance: string } | undefined {
  for (const [metric, def] of Object.entries(SYSTEM_METRICS) as Array<[SystemMetric, (typeof SYSTEM_METRICS)[SystemMetric]]>) {
    if (def.name.endsWith(':') ? name.startsWith(def.name) && name.length > def.name.length : name === def.name) {
      return { metric, instance: def.name.endsWith(':') ? name.slice(def.name.length) : '' };
    }
  }
  return undefined;
}

/** Catalogue entry for any system sample name (for the birth message); undefined if it is not one. */
export function describeSystemSample(name: string): ParameterInfo | undefined {
  const parsed = parseSystemSample(name);
  if (!parsed) return undefined;
  const def = SYSTEM_METRICS[parsed.metric];
  return { name, unit: def.unit, description: parsed.instance ? `${def.description} ${parsed.instance}` : def.description, writable: false, source: 'system' };
}

/** A mount point, process or interface name as a fault-code segment: '/' -> 'root', '/var/log' -> 'var_log', 'nginx' -> 'nginx'. */
export function codeSegment(instance: string): string {
  const s = instance.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return s.length > 0 ? s : 'root';
}
