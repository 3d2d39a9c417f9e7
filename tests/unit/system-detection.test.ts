import t from 'tap';
import { checkSystemDetectionConfig, DEFAULT_SYSTEM_DETECTION, detectSystem, initialSystemDetectorState, type SystemDetectionConfig } from '../../agent/core/system-detection.js';
import { codeSegment, describeSystemSample, parseSystemSample, systemSampleName } from '../../agent/core/system-samples.js';
import type { Sample } from '../../protocol/values.js';

const cfg: SystemDetectionConfig = {
  ...DEFAULT_SYSTEM_DETECTION,
  processes: ['nginx', 'mosquitto'], interfaces: ['eth0'],
  cpuHigh: { enabled: true, raiseAt: 90, clearAt: 70, onDelayMs: 10_000 },
};

function run(c: SystemDetectionConfig, series: Array<[number, Record<string, number>]>): string[] {
  let state = initialSystemDetectorState();
  const out: string[] = [];
  for (const [time, values] of series) {
    const samples = new Map(Object.entries(values).map(([parameter, value]): [string, Sample] => [parameter, { parameter, value, quality: 'good', timeMs: time }]));
    const r = detectSystem(c, state, samples, time);
    state = r.state;
    out.push(...r.transitions.map((x) => `${x.transition} ${x.fault.code}@${time}`));
  }
  return out;
}

t.test('system detectors', async (t) => {
  const cases: Array<[string, SystemDetectionConfig, Array<[number, Record<string, number>]>, string[]]> = [
    ['disk nearly full per mount: 90 % raises, 85 % clears', cfg,
      [[0, { 'system.disk_used:/var': 89 }], [1, { 'system.disk_used:/var': 91, 'system.disk_used:/': 50 }], [2, { 'system.disk_used:/var': 87 }], [3, { 'system.disk_used:/var': 85 }]],
      ['raise system.disk_full.var@1', 'clear system.disk_full.var@3']],
    ['two mounts are two faults', cfg, [[0, { 'system.disk_used:/': 95, 'system.disk_used:/var/log': 97 }], [1, { 'system.disk_used:/': 80, 'system.disk_used:/var/log': 97 }]],
      ['raise system.disk_full.root@0', 'raise system.disk_full.var_log@0', 'clear system.disk_full.root@1']],
    ['the fullest-disk summary is not judged twice', cfg, [[0, { 'system.disk_used': 99 }]], []],
    ['an expected process down raises, up again clears', cfg,
      [[0, { 'system.process_up:nginx': 1 }], [1, { 'system.process_up:nginx': 0 }], [2, { 'system.process_up:nginx': 1 }]],
      ['raise system.process_down.nginx@1', 'clear system.process_down.nginx@2']],
    ['a process nobody expects is not judged', cfg, [[0, { 'system.process_up:sshd': 0 }]], []],
    ['process down with a delay', { ...cfg, processDownDelayMs: 10_000 },
      [[0, { 'system.process_up:mosquitto': 0 }], [5000, { 'system.process_up:mosquitto': 0 }], [10_000, { 'system.process_up:mosquitto': 0 }]],
      ['raise system.process_down.mosquitto@10000']],
    ['expected link down', cfg, [[0, { 'system.net_up:eth0': 0, 'system.net_up:wlan0': 0 }], [1, { 'system.net_up:eth0': 1 }]],
      ['raise system.link_down.eth0@0', 'clear system.link_down.eth0@1']],
    ['CPU high after its on-delay, clear under clearAt', cfg,
      [[0, { 'system.cpu_load': 95 }], [5000, { 'system.cpu_load': 95 }], [10_000, { 'system.cpu_load': 96 }], [11_000, { 'system.cpu_load': 75 }], [12_000, { 'system.cpu_load': 65 }]],
      ['raise system.cpu_high@10000', 'clear system.cpu_high@12000']],
    ['memory high is off by default', DEFAULT_SYSTEM_DETECTION, [[0, { 'system.mem_used': 99 }], [100_000, { 'system.mem_used': 99 }]], []],
    ['temperature high where a sensor exists (default 85/75, 10 s)', DEFAULT_SYSTEM_DETECTION,
      [[0, { 'system.temperature:cpu': 88 }], [10_000, { 'system.temperature:cpu': 88 }], [20_000, { 'system.temperature:cpu': 74 }]],
      ['raise system.temperature_high.cpu@10000', 'clear system.temperature_high.cpu@20000']],
    ['disabled detectors stay quiet', { ...cfg, diskFull: { ...cfg.diskFull, enabled: false } }, [[0, { 'system.disk_used:/': 99 }]], []],
  ];
  for (const [name, c, series, want] of cases) t.same(run(c, series), want, name);
});

t.test('a system event carries its source, instance and the sample it is about', async (t) => {
  const r = detectSystem(cfg, initialSystemDetectorState(), new Map([['system.disk_used:/data', { parameter: 'system.disk_used:/data', value: 93.5, quality: 'good', timeMs: 0 }]]), 0);
  const [x] = r.transitions;
  t.equal(x?.source, 'system');
  t.equal(x?.fault.category, 'software');
  t.same(x?.labels, { mount: '/data', value: '93.5' });
  t.same(x?.related, ['system.disk_used:/data']);
  t.match(x?.fault.message, /\/data is over 90% full/);
});

t.test('a process crash-looping is reported as chattering', async (t) => {
  const series: Array<[number, Record<string, number>]> = Array.from({ length: 10 }, (_, i) => [i * 5000, { 'system.process_up:nginx': i % 2 }]);
  t.same(run(cfg, series), [
    'raise system.process_down.nginx@0', 'clear system.process_down.nginx@5000', 'raise system.process_down.nginx@10000',
    'clear system.process_down.nginx@15000', 'raise system.process_down.nginx.chattering@20000',
  ]);
});

t.test('config problems a schema cannot see', async (t) => {
  t.same(checkSystemDetectionConfig(DEFAULT_SYSTEM_DETECTION), []);
  t.same(checkSystemDetectionConfig({ ...cfg, diskFull: { enabled: true, raiseAt: 80, clearAt: 85, onDelayMs: 0 } }).map((p) => p.path), ['diskFull.clearAt']);
});

t.test('system sample names', async (t) => {
  const cases: Array<[string, ReturnType<typeof parseSystemSample>]> = [
    ['system.cpu_load', { metric: 'cpuLoad', instance: '' }],
    ['system.disk_used', { metric: 'diskUsedMax', instance: '' }],
    ['system.disk_used:/var/log', { metric: 'diskUsed', instance: '/var/log' }],
    ['system.process_up:nginx', { metric: 'processUp', instance: 'nginx' }],
    ['system.net_rx_errors:eth0', { metric: 'netRxErrors', instance: 'eth0' }],
    ['system.disk_used:', undefined],
    ['motor_current', undefined],
  ];
  for (const [name, want] of cases) t.same(parseSystemSample(name), want, name);
  t.equal(systemSampleName('temperature', 'cpu'), 'system.temperature:cpu');
  t.same(describeSystemSample('system.net_up:eth0'), { name: 'system.net_up:eth0', unit: '', description: 'Link up (1) or down (0) of network interface eth0', writable: false, source: 'system' });
  for (const [instance, seg] of [['/', 'root'], ['/var/log', 'var_log'], ['nginx', 'nginx'], ['My-App.2', 'my_app_2']]) t.equal(codeSegment(instance!), seg);
});
