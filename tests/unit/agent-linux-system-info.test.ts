/** The direct /proc, /sys and statfs reader of host health, against a fake /proc and /sys tree (and the real one). */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { LinuxSystemInfo, parseMeminfo, parseProcStat, unescapeMountPath } from '../../agent/sources/linux-system-info.js';
import { DEFAULT_SYSTEM_METRICS_OPTIONS, SystemMetrics } from '../../agent/sources/system-metrics.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from '../helpers/temp-dir.js';

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function fakeHost(t: { teardown: (fn: () => void) => void }): { root: string; stat: (busy: number, idle: number) => void } {
  const dir = tempDir();
  t.teardown(dir.remove);
  const root = dir.path;
  const stat = (busy: number, idle: number): void => put(root, 'proc/stat', `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4\n`);
  stat(100, 300);
  put(root, 'proc/meminfo', 'MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    750 kB\nBuffers:  1 kB\n');
  mkdirSync(join(root, 'data dir'));
  for (const d of ['gluster', 'smb', 'auto']) mkdirSync(join(root, d));
  put(root, 'proc/self/mounts', [
    `/dev/sda1 / ext4 rw 0 0`,
    `/dev/sdb1 ${join(root, 'data\\040dir')} ext4 rw 0 0`,
    `server:/export /mnt/nfs nfs4 rw 0 0`,
    `tmpfs ${root} tmpfs rw 0 0`,
    `/dev/sdc1 /no/such/mount ext4 rw 0 0`,
    // Network and automount points, left alone before statfs (they exist here, so statfs would read them):
    `gluster:/vol ${root}/gluster fuse.glusterfs rw 0 0`,
    `//nas/share ${root}/smb fuse.smbnetfs rw 0 0`,
    `systemd-1 ${root}/auto autofs rw 0 0`,
  ].join('\n'));
  for (const [iface, virtualDir] of [['eth0', false], ['lo', true], ['veth1', true]] as const) {
    const target = join(root, 'sys/devices', virtualDir ? 'virtual/net' : 'pci0000:00/net', iface);
    put(root, `${join('sys/devices', virtualDir ? 'virtual/net' : 'pci0000:00/net', iface)}/type`, iface === 'lo' ? '772\n' : '1\n');
    put(root, `${join('sys/devices', virtualDir ? 'virtual/net' : 'pci0000:00/net', iface)}/operstate`, iface === 'eth0' ? 'up\n' : 'unknown\n');
    for (const [c, v] of [['rx_errors', 3], ['tx_errors', 0], ['rx_dropped', 7], ['tx_dropped', 1]] as const) put(root, `${target.slice(root.length + 1)}/statistics/${c}`, `${v}\n`);
    mkdirSync(join(root, 'sys/class/net'), { recursive: true });
    symlinkSync(target, join(root, 'sys/class/net', iface));
  }
  put(root, 'sys/class/hwmon/hwmon0/temp1_label', 'Core 0\n');
  put(root, 'sys/class/hwmon/hwmon0/temp1_input', '50000\n');
  put(root, 'sys/class/hwmon/hwmon0/temp2_label', 'Core 1\n');
  put(root, 'sys/class/hwmon/hwmon0/temp2_input', '54000\n');
  put(root, 'sys/class/thermal/thermal_zone0/type', 'pch_cannonlake\n');
  put(root, 'sys/class/thermal/thermal_zone0/temp', '47500\n');
  put(root, 'proc/1/comm', 'systemd\n');
  put(root, 'proc/1/cmdline', '/sbin/init\0splash\0');
  put(root, 'proc/42/comm', 'mosquitto\n');
  put(root, 'proc/42/cmdline', '/usr/sbin/mosquitto\0-c\0/etc/mosquitto/mosquitto.conf\0');
  put(root, 'proc/7/comm', 'kworker/0:1\n');
  put(root, 'proc/7/cmdline', '');
  return { root, stat };
}

t.test('parsers', async (t) => {
  t.same(parseProcStat('cpu  10 1 5 80 4 1 1 2 0 0\ncpu0 1\n'), { busy: 20, total: 104 }, 'busy = user+nice+system+irq+softirq+steal; idle and iowait are not busy');
  t.equal(parseProcStat('intr 1 2 3'), undefined);
  t.same(parseMeminfo('MemTotal: 2000 kB\nMemAvailable: 500 kB\n'), { total: 2048000, active: 1536000 });
  t.same(parseMeminfo('MemTotal: 2000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n'), { total: 2048000, active: 1536000 }, 'old kernels: free + buffers + cache');
  t.equal(unescapeMountPath('/mnt/my\\040disk\\134x'), '/mnt/my disk\\x');
});

t.test('every part read from a fake /proc and /sys', async (t) => {
  const host = fakeHost(t);
  const info = new LinuxSystemInfo(host.root);
  t.equal((await info.currentLoad()).currentLoad, 25, 'since boot on the first read');
  host.stat(190, 310);
  t.equal((await info.currentLoad()).currentLoad, 90, 'since the previous read afterwards');
  host.stat(300, 250);
  t.equal((await info.currentLoad()).currentLoad, 100, 'an idle counter that went backwards cannot make it more than 100');
  t.same(await info.mem(), { total: 1024000, active: 256000 });

  // Mount points are real paths here (statfs reads the real file systems); the NFS mount and the one that does not exist are left out.
  const disks = await info.fsSize();
  t.same(disks.map((d) => d.mount).sort(), ['/', host.root, join(host.root, 'data dir')].sort(), 'local file systems that can be read, octal escapes undone');
  for (const d of disks) t.ok(d.size > 0 && d.use >= 0 && d.use <= 100, `${d.mount}: ${d.use}% of ${d.size}`);
  const asked: string[] = [];
  const wanted = await info.fsSize((type, mount) => { asked.push(`${type} ${mount}`); return type !== 'tmpfs'; });
  t.same(wanted.map((d) => d.mount).sort(), ['/', join(host.root, 'data dir')].sort(), 'only the wanted file systems are read (the tmpfs is not)');
  t.same(asked.length, 4, 'asked once per local mount, before any statfs');

  t.same(await info.cpuTemperature(), { main: 52, chipset: 47.5 }, 'mean of the core sensors; pch zone for the chipset');
  t.same((await info.networkInterfaces()).sort((a, b) => a.iface.localeCompare(b.iface)), [
    { iface: 'eth0', internal: false, virtual: false }, { iface: 'lo', internal: true, virtual: true }, { iface: 'veth1', internal: false, virtual: true },
  ]);
  t.same(await info.networkStats('eth0,wlan0'), [{ iface: 'eth0', operstate: 'up', rx_errors: 3, tx_errors: 0, rx_dropped: 7, tx_dropped: 1 }], 'a missing interface is left out');
  t.same((await info.processes()).list.sort((a, b) => a.name.localeCompare(b.name)), [
    { name: 'kworker/0:1', command: '' }, { name: 'mosquitto', command: '/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf' }, { name: 'systemd', command: '/sbin/init splash' },
  ]);
});

t.test('through SystemMetrics: the samples the detectors see', async (t) => {
  const host = fakeHost(t);
  const m = new SystemMetrics({ options: { ...DEFAULT_SYSTEM_METRICS_OPTIONS, mounts: ['/'], interfaces: ['eth0'], processes: ['mosquitto', 'init', 'sshd'] }, log: silentLogger(), load: () => Promise.resolve(new LinuxSystemInfo(host.root)) });
  const got = Object.fromEntries((await m.read()).map((s) => [s.parameter, s.value]));
  t.match(got, {
    'system.cpu_load': 25, 'system.mem_used': 25, 'system.temperature:cpu': 52, 'system.temperature:chipset': 47.5,
    'system.net_up:eth0': 1, 'system.net_rx_errors:eth0': 3, 'system.process_up:mosquitto': 1, 'system.process_up:init': 1, 'system.process_up:sshd': 0,
  });
  t.type(got['system.disk_used:/'], 'number');
  t.same(m.stats().failures, 0);
});

t.test('the real host (Linux only)', { skip: process.platform === 'linux' ? false : 'not Linux' }, async (t) => {
  const info = new LinuxSystemInfo();
  const load = await info.currentLoad();
  t.ok(load.currentLoad >= 0 && load.currentLoad <= 100);
  const mem = await info.mem();
  t.ok(mem.total > 0 && mem.active > 0 && mem.active < mem.total);
  t.ok((await info.fsSize()).some((d) => d.mount === '/'), 'the root file system');
  t.ok((await info.networkInterfaces()).some((i) => i.internal), 'loopback');
  t.ok((await info.processes()).list.some((p) => p.name === 'node' || p.command.includes(process.argv[1] ?? '')), 'this very process');
});
