/**
 * Host health: CPU load, memory use, disk use per mount, temperatures where the host has
 * sensors, network link state and error counters, and whether named processes run. On Linux
 * read directly from /proc, /sys and statfs (linux-system-info.ts: no child processes);
 * elsewhere from systeminformation. The reader is loaded only on the first read (only when
 * system metrics are enabled), each part of a read is bounded in time, and a part still busy
 * from an earlier read is skipped rather than piled up. Sample names: agent/core/system-samples.ts.
 */
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError, errorMessage } from '../../protocol/errors.js';
import type { ParameterInfo, Sample } from '../../protocol/values.js';
import { describeSystemSample, systemSampleName, SYSTEM_METRICS } from '../core/system-samples.js';
import { linuxSystemInfo } from './linux-system-info.js';
import type { SystemInfoLib } from './system-info-lib.js';

export interface SystemMetricsOptions {
  /** Mount points to report; empty: every real (disk-backed) file system. */
  mounts: readonly string[];
  /** Network interfaces to report; empty: every physical one. */
  interfaces: readonly string[];
  /** Process names to report as up or down (matched against the process name and its command's file name). */
  processes: readonly string[];
  /** Longest wait for one part of a read, in milliseconds. */
  readTimeoutMs: number;
}

export const DEFAULT_SYSTEM_METRICS_OPTIONS: SystemMetricsOptions = { mounts: [], interfaces: [], processes: [], readTimeoutMs: 3000 };

export type { SystemInfoLib };

export interface SystemMetricsStats {
  reads: number;
  /** Parts that failed (an error or a timeout). */
  failures: number;
  timeouts: number;
  /** Parts skipped because the same part of an earlier read was still running. */
  skipped: number;
}

const PSEUDO_FS = /^(tmpfs|devtmpfs|ramfs|overlay|squashfs|proc|sysfs|cgroup2?|nsfs|efivarfs|autofs|fuse\..*|devpts|mqueue|tracefs|debugfs)$/;
const INTERFACE_RESCAN_MS = 5 * 60_000;
const PARTS = ['load', 'memory', 'disk', 'temperature', 'network', 'processes'] as const;
type Part = (typeof PARTS)[number];
type Reading = Array<[string, number]>;

/** The parameter catalogue known from the options alone (instances discovered later are described by describeSystemSample). */
export function systemParameters(opts: SystemMetricsOptions = DEFAULT_SYSTEM_METRICS_OPTIONS): ParameterInfo[] {
  const names = [
    SYSTEM_METRICS.cpuLoad.name, SYSTEM_METRICS.memUsed.name, SYSTEM_METRICS.diskUsedMax.name,
    ...opts.mounts.map((m) => systemSampleName('diskUsed', m)),
    ...opts.interfaces.flatMap((i) => (['netUp', 'netRxErrors', 'netTxErrors', 'netRxDropped', 'netTxDropped'] as const).map((m) => systemSampleName(m, i))),
    ...opts.processes.map((p) => systemSampleName('processUp', p)),
  ];
  return names.map((n) => describeSystemSample(n)).filter((x): x is ParameterInfo => x !== undefined);
}

/** Starts a timer and returns its cancel function. */
export type StartTimer = (fire: () => void, ms: number) => () => void;

/** Real timers that never keep the process alive on their own. */
const realTimer: StartTimer = (fire, ms) => {
  const timer = setTimeout(fire, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

function withTimeout<T>(p: Promise<T>, ms: number, part: string, startTimer: StartTimer): Promise<T> {
  let cancel = (): void => undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = startTimer(() => reject(new FaultlineError('FL_ERR_SYSTEM_TIMEOUT', `reading ${part} took longer than ${ms} ms`, { context: { part, timeoutMs: ms } })), ms);
  });
  return Promise.race([p, timeout]).finally(() => cancel());
}

/** /proc and /sys read directly on Linux; systeminformation elsewhere (its fsSize reads every file system: a function passed to it would be taken for a callback). */
async function loadSystemInfo(): Promise<SystemInfoLib> {
  const linux = await linuxSystemInfo();
  if (linux) return linux;
  const si = await import('systeminformation');
  return {
    currentLoad: () => si.currentLoad(), mem: () => si.mem(), fsSize: () => si.fsSize(), cpuTemperature: () => si.cpuTemperature(),
    networkInterfaces: () => si.networkInterfaces(), networkStats: (ifaces) => si.networkStats(ifaces), processes: () => si.processes(),
  };
}

const fileName = (path: string): string => path.split('/').pop() ?? path;
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export class SystemMetrics {
  private lib: Promise<SystemInfoLib> | undefined;
  private readonly busy = new Set<Part>();
  private readonly failing = new Set<Part>();
  private readonly seen = new Set<string>();
  private physical: { ifaces: string[]; atMs: number } | undefined;
  private readonly counters: SystemMetricsStats = { reads: 0, failures: 0, timeouts: 0, skipped: 0 };
  private readonly now: () => number;

  constructor(private readonly opts: {
    options: SystemMetricsOptions;
    log?: Logger;
    now?: () => number;
    /** Loads systeminformation; replaced in tests. */
    load?: () => Promise<SystemInfoLib>;
    /** Timers for the per-part time limit; replaced in tests. */
    startTimer?: StartTimer;
  }) {
    this.now = opts.now ?? Date.now;
  }

  stats(): SystemMetricsStats {
    return { ...this.counters };
  }

  /** Everything reported so far plus what the options name: grows as mounts and interfaces are discovered. */
  parameters(): ParameterInfo[] {
    const known = systemParameters(this.opts.options);
    const names = new Set(known.map((p) => p.name));
    const found = [...this.seen].filter((n) => !names.has(n)).map((n) => describeSystemSample(n)).filter((x): x is ParameterInfo => x !== undefined);
    return [...known, ...found];
  }

  /** One read of every part; parts that fail or time out add no samples this time (they are counted and logged once). */
  async read(): Promise<Sample[]> {
    this.counters.reads++;
    this.lib ??= (this.opts.load ?? loadSystemInfo)().catch((err: unknown) => {
      this.lib = undefined;
      throw new FaultlineError('FL_ERR_SYSTEM_LOAD', `cannot load systeminformation: ${errorMessage(err)}`, { cause: err, hint: 'reinstall the agent (npm ci) or set system.enabled: false' });
    });
    const lib = await this.lib;
    const parts = PARTS.filter((p) => p !== 'processes' || this.opts.options.processes.length > 0);
    const readings = await Promise.all(parts.map((p) => this.readPart(p, lib)));
    const t = this.now();
    return readings.flat().map(([parameter, value]): Sample => {
      this.seen.add(parameter);
      return { parameter, value, quality: Number.isFinite(value) ? 'good' : 'bad', timeMs: t };
    });
  }

  private async readPart(part: Part, lib: SystemInfoLib): Promise<Reading> {
    if (this.busy.has(part)) {
      this.counters.skipped++;
      return [];
    }
    this.busy.add(part);
    const running = Promise.resolve().then(() => this.partReader(part, lib));
    void running.finally(() => this.busy.delete(part)).catch(() => undefined);
    try {
      const reading = await withTimeout(running, this.opts.options.readTimeoutMs, part, this.opts.startTimer ?? realTimer);
      if (this.failing.delete(part)) this.opts.log?.info({ part }, 'system metrics part readable again');
      return reading;
    } catch (err) {
      this.counters.failures++;
      if (err instanceof FaultlineError && err.code === 'FL_ERR_SYSTEM_TIMEOUT') this.counters.timeouts++;
      if (!this.failing.has(part)) this.opts.log?.warn({ part, err: errorMessage(err) }, 'system metrics part cannot be read');
      this.failing.add(part);
      return [];
    }
  }

  private partReader(part: Part, lib: SystemInfoLib): Promise<Reading> {
    const o = this.opts.options;
    switch (part) {
      case 'load': return lib.currentLoad().then((l) => [[SYSTEM_METRICS.cpuLoad.name, l.currentLoad]]);
      case 'memory': return lib.mem().then((m) => [[SYSTEM_METRICS.memUsed.name, m.total > 0 ? (100 * m.active) / m.total : Number.NaN]]);
      case 'disk': return lib.fsSize((type, mount) => (o.mounts.length > 0 ? o.mounts.includes(mount) : !PSEUDO_FS.test(type))).then((list) => {
        const disks = list.filter((d) => (o.mounts.length > 0 ? o.mounts.includes(d.mount) : d.size > 0 && !PSEUDO_FS.test(d.type)) && Number.isFinite(d.use));
        const fullest = disks.reduce((m, d) => Math.max(m, d.use), 0);
        return [[SYSTEM_METRICS.diskUsedMax.name, fullest], ...disks.map((d): [string, number] => [systemSampleName('diskUsed', d.mount), d.use])];
      });
      case 'temperature': return lib.cpuTemperature().then((t) => {
        // systeminformation reports null (or -1 on some platforms) when there is no sensor.
        const out: Reading = [];
        if (finite(t.main) && t.main !== -1) out.push([systemSampleName('temperature', 'cpu'), t.main]);
        if (finite(t.chipset) && t.chipset !== -1) out.push([systemSampleName('temperature', 'chipset'), t.chipset]);
        return out;
      });
      case 'network': return this.readNetwork(lib);
      case 'processes': return lib.processes().then(({ list }) => o.processes.map((want): [string, number] => [
        systemSampleName('processUp', want), list.some((p) => p.name === want || fileName(p.command.split(' ')[0] ?? '') === want) ? 1 : 0,
      ]));
    }
  }

  private async readNetwork(lib: SystemInfoLib): Promise<Reading> {
    const configured = this.opts.options.interfaces;
    let ifaces = [...configured];
    if (ifaces.length === 0) {
      const now = this.now();
      if (!this.physical || now - this.physical.atMs >= INTERFACE_RESCAN_MS) {
        const all = await lib.networkInterfaces();
        this.physical = { ifaces: all.filter((i) => !i.internal && !i.virtual).map((i) => i.iface), atMs: now };
      }
      ifaces = this.physical.ifaces;
    }
    if (ifaces.length === 0) return [];
    const stats = await lib.networkStats(ifaces.join(','));
    return ifaces.flatMap((iface): Reading => {
      const s = stats.find((x) => x.iface === iface);
      // A configured interface that has vanished has no link.
      if (!s) return configured.includes(iface) ? [[systemSampleName('netUp', iface), 0]] : [];
      return [
        [systemSampleName('netUp', iface), s.operstate === 'up' ? 1 : 0],
        [systemSampleName('netRxErrors', iface), s.rx_errors],
        [systemSampleName('netTxErrors', iface), s.tx_errors],
        [systemSampleName('netRxDropped', iface), s.rx_dropped],
        [systemSampleName('netTxDropped', iface), s.tx_dropped],
      ];
    });
  }
}
