import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { DEFAULT_SYSTEM_METRICS_OPTIONS, SystemMetrics, systemParameters, type StartTimer, type SystemInfoLib, type SystemMetricsOptions } from '../../agent/sources/system-metrics.js';

/** A host as systeminformation would describe it; each part can be replaced. */
function fakeHost(over: Partial<SystemInfoLib> = {}): SystemInfoLib & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = <T>(name: string, v: T): Promise<T> => { calls[name] = (calls[name] ?? 0) + 1; return Promise.resolve(v); };
  return {
    calls,
    currentLoad: () => count('currentLoad', { currentLoad: 12.5 }),
    mem: () => count('mem', { total: 1000, active: 250 }),
    fsSize: () => count('fsSize', [
      { type: 'ext4', size: 100, use: 40, mount: '/' },
      { type: 'ext4', size: 100, use: 91.5, mount: '/var' },
      { type: 'tmpfs', size: 100, use: 99, mount: '/run' },
      { type: 'overlay', size: 100, use: 99, mount: '/var/lib/docker/overlay2/x' },
    ]),
    cpuTemperature: () => count('cpuTemperature', { main: 61, chipset: null }),
    networkInterfaces: () => count('networkInterfaces', [
      { iface: 'lo', internal: true, virtual: false }, { iface: 'eth0', internal: false, virtual: false }, { iface: 'veth1', internal: false, virtual: true },
    ]),
    networkStats: (ifaces?: string) => count('networkStats', (ifaces ?? '').split(',').filter((i) => i === 'eth0' || i === 'wlan0').map((iface) => ({
      iface, operstate: iface === 'eth0' ? 'up' : 'down', rx_errors: 3, tx_errors: 0, rx_dropped: 7, tx_dropped: 1,
    }))),
    processes: () => count('processes', { list: [{ name: 'nginx', command: '/usr/sbin/nginx' }, { name: 'mosquitto-brok', command: '/usr/sbin/mosquitto-broker -c /etc/m.conf' }] }),
    ...over,
  };
}

const metrics = (host: SystemInfoLib, options: Partial<SystemMetricsOptions> = {}): SystemMetrics =>
  new SystemMetrics({ options: { ...DEFAULT_SYSTEM_METRICS_OPTIONS, ...options }, log: silentLogger(), now: () => 5000, load: () => Promise.resolve(host) });

const asRecord = (samples: Array<{ parameter: string; value: number }>): Record<string, number> => Object.fromEntries(samples.map((s) => [s.parameter, s.value]));

t.test('one read covers load, memory, disks per mount, temperatures, links and named processes', async (t) => {
  const host = fakeHost();
  const got = asRecord(await metrics(host, { processes: ['nginx', 'mosquitto-broker', 'sshd'] }).read());
  t.same(got, {
    'system.cpu_load': 12.5, 'system.mem_used': 25, 'system.disk_used': 91.5, 'system.disk_used:/': 40, 'system.disk_used:/var': 91.5,
    'system.temperature:cpu': 61,
    'system.net_up:eth0': 1, 'system.net_rx_errors:eth0': 3, 'system.net_tx_errors:eth0': 0, 'system.net_rx_dropped:eth0': 7, 'system.net_tx_dropped:eth0': 1,
    'system.process_up:nginx': 1, 'system.process_up:mosquitto-broker': 1, 'system.process_up:sshd': 0,
  }, 'pseudo file systems, virtual and loopback interfaces are left out; a truncated process name matches its command');
});

t.test('configured mounts and interfaces narrow the read; a vanished interface reads as down', async (t) => {
  const host = fakeHost();
  const got = asRecord(await metrics(host, { mounts: ['/run'], interfaces: ['eth0', 'wwan0'] }).read());
  t.equal(got['system.disk_used:/run'], 99);
  t.notOk('system.disk_used:/' in got);
  t.equal(got['system.net_up:eth0'], 1);
  t.equal(got['system.net_up:wwan0'], 0);
  t.equal(host.calls.networkInterfaces, undefined, 'interfaces are not discovered when configured');
  t.equal(host.calls.processes, undefined, 'processes are not listed when none are named');
});

t.test('no sensors, no temperature samples', async (t) => {
  const got = asRecord(await metrics(fakeHost({ cpuTemperature: () => Promise.resolve({ main: null, chipset: null }) })).read());
  t.notOk(Object.keys(got).some((k) => k.startsWith('system.temperature')));
});

t.test('a part that fails or hangs costs only its own samples, and is counted', async (t) => {
  const never = new Promise<never>(() => undefined);
  // A fake clock: every time limit expires at the next turn of the event loop, after the answering parts have answered.
  const startTimer: StartTimer = (fire) => { const h = setImmediate(fire); return () => clearImmediate(h); };
  const m = new SystemMetrics({
    options: { ...DEFAULT_SYSTEM_METRICS_OPTIONS, readTimeoutMs: 60_000 }, log: silentLogger(), startTimer,
    load: () => Promise.resolve(fakeHost({ fsSize: () => never, mem: () => Promise.reject(new Error('no /proc/meminfo')) })),
  });
  const first = asRecord(await m.read());
  t.equal(first['system.cpu_load'], 12.5, 'the other parts still report');
  t.notOk('system.mem_used' in first);
  t.notOk('system.disk_used' in first);
  t.same(m.stats(), { reads: 1, failures: 2, timeouts: 1, skipped: 0 });
  await m.read();
  t.equal(m.stats().skipped, 1, 'the hung part is not started again while it is still running');
});

t.test('systeminformation is loaded lazily, on the first read only', async (t) => {
  let loads = 0;
  const m = new SystemMetrics({ options: DEFAULT_SYSTEM_METRICS_OPTIONS, log: silentLogger(), load: () => { loads++; return Promise.resolve(fakeHost()); } });
  t.equal(loads, 0, 'nothing loaded by the constructor');
  await m.read();
  await m.read();
  t.equal(loads, 1);
  const failing = new SystemMetrics({ options: DEFAULT_SYSTEM_METRICS_OPTIONS, load: () => Promise.reject(new Error('not installed')) });
  await t.rejects(failing.read(), { code: 'FL_ERR_SYSTEM_LOAD' });
});

t.test('the parameter catalogue follows the config and grows with what is discovered', async (t) => {
  const names = systemParameters({ ...DEFAULT_SYSTEM_METRICS_OPTIONS, mounts: ['/data'], processes: ['nginx'] }).map((p) => p.name);
  t.same(names, ['system.cpu_load', 'system.mem_used', 'system.disk_used', 'system.disk_used:/data', 'system.process_up:nginx']);
  const m = metrics(fakeHost());
  t.notOk(m.parameters().some((p) => p.name === 'system.disk_used:/var'));
  await m.read();
  const found = m.parameters().find((p) => p.name === 'system.disk_used:/var');
  t.same(found, { name: 'system.disk_used:/var', unit: '%', description: 'Use of the file system mounted at /var', writable: false, source: 'system' });
});
