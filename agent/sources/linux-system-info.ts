/**
 * The parts of systeminformation the agent uses, read straight from /proc, /sys and statfs(2)
 * on Linux: no child processes (systeminformation runs `df`, a shell loop over hwmon, `cat` and
 * `sensors` on every read, which was most of the agent's CPU time), nothing blocking the event
 * loop, and none of its ~1 MiB of code in memory. Same shapes and meanings as systeminformation:
 *
 * - CPU load: busy share of all CPU time since the previous read (since boot on the first), from
 *   /proc/stat; busy = user + nice + system + irq + softirq + steal, idle = idle + iowait.
 * - memory: MemTotal, and active = MemTotal - MemAvailable (from /proc/meminfo).
 * - disks: every mounted local file system (/proc/self/mounts; network file systems are left
 *   out, as `df -l` does), use% = used / (used + available to users), like df.
 * - temperatures: hwmon sensors labelled Tctl/Tdie/Package/Physical/Tccd1 (else the mean of the
 *   Core sensors), else a thermal zone whose type names the CPU; chipset: a `pch` thermal zone.
 * - network: /sys/class/net (loopback is internal; devices under /sys/devices/virtual are virtual),
 *   operstate and the error and drop counters.
 * - processes: /proc/<pid>/comm and cmdline.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { SystemInfoLib } from './system-info-lib.js';

type NetStats = Awaited<ReturnType<SystemInfoLib['networkStats']>>[number];

/** Network and cluster file systems: statfs on them can hang with the server, and `df -l` leaves them out. */
const REMOTE_FS = /^(nfs4?|cifs|smb3?|smbfs|ncpfs|afs|ceph|glusterfs|lustre|9p|gfs2?|ocfs2|davfs|fuse\.sshfs)$/;

// /proc and /sys files are generated in memory by the kernel: a synchronous read takes
// microseconds, far less than a round trip through the thread pool (statfs stays asynchronous:
// a file system can be slow to answer).
const readText = async (path: string): Promise<string> => readFileSync(path, 'utf8');
const readNumber = async (path: string): Promise<number> => Number((await readText(path)).trim());
const readdir = async (path: string): Promise<string[]> => readdirSync(path);
const realpath = async (path: string): Promise<string> => realpathSync(path);
const round2 = (v: number): number => Math.round(v * 100) / 100;
const celsius = (milli: number): number => Math.round(milli / 100) / 10;

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
export function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The aggregate `cpu` line of /proc/stat as busy and total ticks. */
export function parseProcStat(text: string): { busy: number; total: number } | undefined {
  const line = text.split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/);
  if (f[0] !== 'cpu') return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.slice(1, 9).map((x) => Number(x) || 0);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

/** MemTotal and the active (not available) bytes from /proc/meminfo. */
export function parseMeminfo(text: string): { total: number; active: number } {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal') ?? 0;
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  return { total, active: Math.max(0, total - available) };
}

export class LinuxSystemInfo implements SystemInfoLib {
  private lastCpu: { busy: number; total: number } = { busy: 0, total: 0 };

  constructor(private readonly root = '') {}

  async currentLoad(): Promise<{ currentLoad: number }> {
    const now = parseProcStat(await readText(`${this.root}/proc/stat`));
    if (!now) throw new Error('/proc/stat has no cpu line');
    const busy = now.busy - this.lastCpu.busy;
    const total = now.total - this.lastCpu.total;
    this.lastCpu = now;
    // iowait may go backwards (proc(5)), as may a virtualised /proc/stat: keep the figure in 0..100.
    return { currentLoad: total > 0 ? round2(Math.min(100, Math.max(0, (100 * busy) / total))) : 0 };
  }

  async mem(): Promise<{ total: number; active: number }> {
    return parseMeminfo(await readText(`${this.root}/proc/meminfo`));
  }

  async fsSize(wanted: (type: string, mount: string) => boolean = () => true): Promise<Array<{ type: string; size: number; use: number; mount: string }>> {
    const byMount = new Map<string, string>();
    for (const line of (await readText(`${this.root}/proc/self/mounts`)).split('\n')) {
      const [device, mount, type] = line.split(' ');
      if (device === undefined || mount === undefined || type === undefined) continue;
      // Before statfs, like `df -l`: statfs on an automount point mounts it, and on an unreachable
      // network file system (NFS, CIFS, FUSE network mounts: device "host:/vol" or "//host/share")
      // it blocks a thread-pool thread indefinitely.
      if (type === 'autofs' || REMOTE_FS.test(type) || device.includes(':') || device.startsWith('//')) continue;
      byMount.set(unescapeMountPath(mount), type); // a later mount over the same point hides the earlier one
    }
    // Only the wanted ones: a host has a dozen or more pseudo file systems (proc, cgroup, tmpfs) that nobody reports.
    const out = await Promise.all([...byMount].filter(([mount, type]) => wanted(type, mount)).map(async ([mount, type]) => {
      try {
        const s = await statfs(mount);
        const used = (s.blocks - s.bfree) * s.bsize;
        const available = s.bavail * s.bsize;
        return { type, size: s.blocks * s.bsize, use: used + available > 0 ? round2((100 * used) / (used + available)) : 0, mount };
      } catch {
        return undefined; // not ours to read (permissions), or gone since /proc/self/mounts was read
      }
    }));
    return out.filter((x): x is NonNullable<typeof x> => x !== undefined);
  }

  async cpuTemperature(): Promise<{ main: number | null; chipset: number | null }> {
    const zones = await this.thermalZones();
    const chipset = zones.find((z) => z.type.startsWith('pch'))?.temp ?? null;
    const sensors = await this.hwmonSensors();
    const named = (test: (label: string) => boolean): number | undefined => sensors.find((s) => test(s.label.toLowerCase()))?.temp;
    const cores = sensors.filter((s) => s.label.toLowerCase().startsWith('core')).map((s) => s.temp);
    const main = named((l) => l === 'tctl' || l === 'tdie') ?? named((l) => l.includes('package') || l.includes('physical') || l === 'tccd1')
      ?? (cores.length > 0 ? Math.round(cores.reduce((a, b) => a + b, 0) / cores.length) : undefined)
      ?? zones.find((z) => z.type.toLowerCase().includes('cpu'))?.temp ?? null;
    return { main, chipset };
  }

  async networkInterfaces(): Promise<Array<{ iface: string; internal: boolean; virtual: boolean }>> {
    const names = await readdir(`${this.root}/sys/class/net`);
    return Promise.all(names.map(async (iface) => {
      const type = await readNumber(`${this.root}/sys/class/net/${iface}/type`).catch(() => Number.NaN);
      const real = await realpath(`${this.root}/sys/class/net/${iface}`).catch(() => '');
      return { iface, internal: type === 772 || iface === 'lo', virtual: real.includes('/devices/virtual/') };
    }));
  }

  async networkStats(ifaces = ''): Promise<NetStats[]> {
    const wanted = ifaces.split(',').map((s) => s.trim()).filter(Boolean);
    const out = await Promise.all(wanted.map(async (iface): Promise<NetStats | undefined> => {
      const dir = `${this.root}/sys/class/net/${iface}`;
      try {
        const operstate = (await readText(`${dir}/operstate`)).trim();
        const [rx_errors, tx_errors, rx_dropped, tx_dropped] = await Promise.all(
          ['rx_errors', 'tx_errors', 'rx_dropped', 'tx_dropped'].map((c) => readNumber(`${dir}/statistics/${c}`)),
        );
        return { iface, operstate, rx_errors: rx_errors ?? 0, tx_errors: tx_errors ?? 0, rx_dropped: rx_dropped ?? 0, tx_dropped: tx_dropped ?? 0 };
      } catch {
        return undefined; // no such interface (any more)
      }
    }));
    return out.filter((x): x is NetStats => x !== undefined);
  }

  async processes(): Promise<{ list: Array<{ name: string; command: string }> }> {
    const pids = (await readdir(`${this.root}/proc`)).filter((d) => /^\d+$/.test(d));
    const list = await Promise.all(pids.map(async (pid) => {
      try {
        const [comm, cmdline] = await Promise.all([readText(`${this.root}/proc/${pid}/comm`), readText(`${this.root}/proc/${pid}/cmdline`)]);
        return { name: comm.trim(), command: cmdline.replace(/\0+$/, '').replace(/\0/g, ' ') };
      } catch {
        return undefined; // exited meanwhile
      }
    }));
    return { list: list.filter((x): x is { name: string; command: string } => x !== undefined) };
  }

  private async thermalZones(): Promise<Array<{ type: string; temp: number }>> {
    const base = `${this.root}/sys/class/thermal`;
    const zones = (await readdir(base).catch(() => [])).filter((z) => z.startsWith('thermal_zone'));
    const read = await Promise.all(zones.map(async (z) => {
      try {
        return { type: (await readText(`${base}/${z}/type`)).trim(), temp: celsius(await readNumber(`${base}/${z}/temp`)) };
      } catch {
        return undefined;
      }
    }));
    return read.filter((x): x is { type: string; temp: number } => x !== undefined && Number.isFinite(x.temp));
  }

  private async hwmonSensors(): Promise<Array<{ label: string; temp: number }>> {
    const base = `${this.root}/sys/class/hwmon`;
    const out: Array<{ label: string; temp: number }> = [];
    for (const mon of await readdir(base).catch(() => [])) {
      const files = await readdir(`${base}/${mon}`).catch(() => []);
      for (const f of files.filter((x) => /^temp\d+_label$/.test(x)).sort()) {
        try {
          const label = (await readText(`${base}/${mon}/${f}`)).trim();
          const temp = celsius(await readNumber(`${base}/${mon}/${f.replace('_label', '_input')}`));
          if (Number.isFinite(temp)) out.push({ label, temp });
        } catch {
          // a sensor without a reading
        }
      }
    }
    return out;
  }
}

/** The direct reader where /proc/stat can be read (Linux), else undefined (use systeminformation). */
export async function linuxSystemInfo(): Promise<SystemInfoLib | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    readFileSync('/proc/stat');
    return new LinuxSystemInfo();
  } catch {
    return undefined;
  }
}
