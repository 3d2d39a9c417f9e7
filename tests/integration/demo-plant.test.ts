/**
 * The demo looks like a plant: `faultline demo` (the built CLI, a real process on free ports in a
 * temp data dir) brings up at least three device kinds online on two sites, and within a minute of
 * fast faults its tickets come out at several priorities (criticality per device from
 * bin/demo-desk.yaml), not all P1.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

t.setTimeout(180_000);

interface DeviceJson { site: string; device: string; online: boolean; model?: string; birth?: { model: string; adapterId: string } | null }

t.test('the demo runs several device kinds and raises faults at several priorities', async (t) => {
  const dir = tempDir('faultline-demo-');
  t.teardown(dir.remove);
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'bin', 'faultline.js'), 'demo',
    '--data-dir', dir.path, '--mqtt-port', '0', '--http-port', '0', '--fault-every', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGTERM'); });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString('utf8'); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString('utf8'); });

  const banner = await waitFor('the demo banner', async () => /Dashboard: (http:\/\/\S+?)\/\s+log in as (\S+) \/ (\S+)/.exec(out) ?? undefined, 90_000)
    .catch((err: unknown) => { throw new Error(`${String(err)}\n${out}`); });
  const [, base, user, password] = banner as unknown as [string, string, string, string];
  t.match(out, /6 simulated devices \(2 drive\(s\) and a PLC on demo-plant; a gateway, a meter, a temperature controller on demo-utilities\)/, 'the banner names the plant');

  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
  t.equal(login.status, 200, 'the printed login works');
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };

  const devices = await waitFor('six devices online', async () => {
    const { devices: list } = await get<{ devices: DeviceJson[] }>('/api/devices');
    return list.filter((d) => d.online).length >= 6 ? list : undefined;
  }, 60_000);
  const kinds = new Set(devices.map((d) => d.model ?? d.birth?.model ?? `${d.device.replace(/-\d+$/, '')}`));
  t.ok(kinds.size >= 3, `at least three device kinds online: ${[...kinds].join(', ')}`);
  t.same([...new Set(devices.map((d) => d.site))].sort(), ['demo-plant', 'demo-utilities'], 'on two sites');

  const priorities = await waitFor('tickets at three priorities', async () => {
    const { tickets } = await get<{ tickets: Array<{ priority: string; device: string }> }>('/api/tickets?limit=500');
    const seen = new Set(tickets.map((x) => x.priority));
    return seen.size >= 3 ? { seen, devices: new Set(tickets.map((x) => x.device)) } : undefined;
  }, 90_000).catch((err: unknown) => { throw new Error(`${String(err)}\n${out.slice(-3000)}`); });
  t.ok(priorities.seen.size >= 3, `tickets at several priorities: ${[...priorities.seen].sort().join(', ')}`);
  t.ok(priorities.devices.size >= 3, `faults on several devices: ${[...priorities.devices].sort().join(', ')}`);

  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => { if (child.exitCode !== null) resolve(child.exitCode); else child.once('exit', (c) => resolve(c)); });
  t.equal(code, 0, 'the demo stops cleanly on SIGTERM');
});
