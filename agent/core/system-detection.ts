/**
 * Host-health detectors, pure and driven by config: a file system nearly full (per mount), an
 * expected process not running, an expected network link down, CPU, memory or a temperature
 * sensor high. Each is a limit with hysteresis (hysteresis.ts), one fault code per instance
 * (`system.disk_full.var_log`, `system.process_down.nginx`) so every raise has its own clear.
 */
import type { FaultDef } from '../../firmware-adapters/schema.js';
import type { Sample } from '../../protocol/values.js';
import { DEFAULT_CHATTER, filterChatter, initialChatterState, releaseChatter, type ChatterSpec, type ChatterState } from './chatter.js';
import type { FaultTransition } from './fault-transition.js';
import { LIMIT_IDLE, stepLimit, type LimitSpec, type LimitState } from './hysteresis.js';
import { codeSegment, parseSystemSample, type SystemMetric } from './system-samples.js';

/** A level alarm: raise when above `raiseAt` for `onDelayMs`, clear at or below `clearAt`. */
export interface LevelRule {
  enabled: boolean;
  raiseAt: number;
  clearAt: number;
  onDelayMs: number;
}

export interface SystemDetectionConfig {
  /** Per mount, percent used. Default 90 raise / 85 clear. */
  diskFull: LevelRule;
  /** Processes (by name) expected to be running. */
  processes: readonly string[];
  processDownDelayMs: number;
  /** Network interfaces expected to have link. */
  interfaces: readonly string[];
  linkDownDelayMs: number;
  /** Percent CPU load. Default off. */
  cpuHigh: LevelRule;
  /** Percent memory in use. Default off. */
  memoryHigh: LevelRule;
  /** °C, per sensor where the host has sensors. Default 85 raise / 75 clear. */
  temperatureHigh: LevelRule;
}

export const DEFAULT_SYSTEM_DETECTION: SystemDetectionConfig = {
  diskFull: { enabled: true, raiseAt: 90, clearAt: 85, onDelayMs: 0 },
  processes: [],
  processDownDelayMs: 0,
  interfaces: [],
  linkDownDelayMs: 0,
  cpuHigh: { enabled: false, raiseAt: 95, clearAt: 80, onDelayMs: 60_000 },
  memoryHigh: { enabled: false, raiseAt: 95, clearAt: 85, onDelayMs: 60_000 },
  temperatureHigh: { enabled: true, raiseAt: 85, clearAt: 75, onDelayMs: 10_000 },
};

/** Problems a schema cannot see (clear level above the raise level), each with its key. */
export function checkSystemDetectionConfig(cfg: SystemDetectionConfig): Array<{ path: string; message: string }> {
  const levels = ['diskFull', 'cpuHigh', 'memoryHigh', 'temperatureHigh'] as const;
  return levels.filter((k) => cfg[k].clearAt >= cfg[k].raiseAt)
    .map((k) => ({ path: `${k}.clearAt`, message: `must be below ${k}.raiseAt (${cfg[k].raiseAt}), or the fault could never clear` }));
}

export interface SystemDetectorState {
  limits: Record<string, LimitState>;
  chatter: ChatterState;
}

export function initialSystemDetectorState(): SystemDetectorState {
  return { limits: {}, chatter: initialChatterState() };
}

export interface SystemDetectionResult {
  state: SystemDetectorState;
  transitions: FaultTransition[];
}

interface Judged {
  fault: FaultDef;
  spec: LimitSpec;
  labels: Record<string, string>;
}

const level = (r: LevelRule): LimitSpec => ({ direction: 'above', limit: r.raiseAt, deadband: Math.max(0, r.raiseAt - r.clearAt), onDelayMs: r.onDelayMs, offDelayMs: 0 });
const down = (onDelayMs: number): LimitSpec => ({ direction: 'below', limit: 0.5, deadband: 0, onDelayMs, offDelayMs: 0 });

/** The rule, if any, that judges one sample. */
function ruleFor(cfg: SystemDetectionConfig, metric: SystemMetric, instance: string): Judged | undefined {
  const seg = codeSegment(instance);
  switch (metric) {
    case 'diskUsed': return cfg.diskFull.enabled ? {
      spec: level(cfg.diskFull), labels: { mount: instance },
      fault: { code: `system.disk_full.${seg}`, category: 'software', severity: 'major', message: `File system ${instance} is over ${cfg.diskFull.raiseAt}% full`,
        remedy: 'Find what grows (logs, core dumps, a stuck spool) with du; rotate or delete it, and check log rotation is configured.' },
    } : undefined;
    case 'processUp': return cfg.processes.includes(instance) ? {
      spec: down(cfg.processDownDelayMs), labels: { process: instance },
      fault: { code: `system.process_down.${seg}`, category: 'software', severity: 'major', message: `Process ${instance} is not running`,
        remedy: `Check why ${instance} stopped (journalctl -u ${instance}, its own log) and start it; look for an OOM kill or a crash loop.` },
    } : undefined;
    case 'netUp': return cfg.interfaces.includes(instance) ? {
      spec: down(cfg.linkDownDelayMs), labels: { interface: instance },
      fault: { code: `system.link_down.${seg}`, category: 'link', severity: 'major', message: `Network interface ${instance} has no link`,
        remedy: 'Check the cable, the switch port and its LEDs; for a cellular or Wi-Fi link check signal and the modem.' },
    } : undefined;
    case 'cpuLoad': return cfg.cpuHigh.enabled ? {
      spec: level(cfg.cpuHigh), labels: {},
      fault: { code: 'system.cpu_high', category: 'software', severity: 'warning', message: `CPU load above ${cfg.cpuHigh.raiseAt}%`,
        remedy: 'Find the busy process (top); a runaway process or too short poll intervals are the usual causes.' },
    } : undefined;
    case 'memUsed': return cfg.memoryHigh.enabled ? {
      spec: level(cfg.memoryHigh), labels: {},
      fault: { code: 'system.memory_high', category: 'software', severity: 'minor', message: `Memory use above ${cfg.memoryHigh.raiseAt}%`,
        remedy: 'Find the process that grows (ps by RSS); a leak ends in an OOM kill, so restart it in a maintenance window and report it.' },
    } : undefined;
    case 'temperature': return cfg.temperatureHigh.enabled ? {
      spec: level(cfg.temperatureHigh), labels: { sensor: instance },
      fault: { code: `system.temperature_high.${seg}`, category: 'hardware', severity: 'major', message: `Temperature ${instance} above ${cfg.temperatureHigh.raiseAt} °C`,
        remedy: 'Check the enclosure ventilation, fans and ambient temperature; sustained heat throttles the CPU and shortens the hardware\'s life.' },
    } : undefined;
    default: return undefined;
  }
}

/** One read's worth of system samples. Samples of bad or stale quality, and missing ones, are not judged. */
export function detectSystem(cfg: SystemDetectionConfig, prev: SystemDetectorState, samples: ReadonlyMap<string, Sample>, nowMs: number, chatter: ChatterSpec | false = DEFAULT_CHATTER): SystemDetectionResult {
  const limits = { ...prev.limits };
  const raw: FaultTransition[] = [];
  for (const s of samples.values()) {
    if (s.quality !== 'good') continue;
    const parsed = parseSystemSample(s.parameter);
    const rule = parsed && ruleFor(cfg, parsed.metric, parsed.instance);
    if (!rule) continue;
    const step = stepLimit(rule.spec, limits[rule.fault.code] ?? LIMIT_IDLE, s.value, nowMs);
    limits[rule.fault.code] = step.state;
    if (step.transition) {
      raw.push({ fault: rule.fault, source: 'system', transition: step.transition, related: [s.parameter], labels: { ...rule.labels, value: String(s.value) } });
    }
  }
  if (chatter === false) return { state: { ...prev, limits }, transitions: raw };
  const filtered = filterChatter(prev.chatter, raw, nowMs, chatter);
  const released = releaseChatter(filtered.state, nowMs, chatter);
  return { state: { limits, chatter: released.state }, transitions: [...filtered.transitions, ...released.transitions] };
}
