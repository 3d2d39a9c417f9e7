/**
 * The agent runs from its package alone: the tarball unpacked into an empty temp dir (no project
 * checkout above it, nothing of the dev install on its module path), started as the service
 * starts it (bin/faultline-agent --config FILE), polling a simulated drive over Modbus TCP and
 * publishing to a real collector, where the drive's fault becomes a ticket.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { buildPackages, PackagedAgent, unpackTarball } from '../helpers/agent-package.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface Ticket { id: number; code: string; device: string; faultActive: boolean }

/** What `require.resolve(name)` finds when run by node in `cwd` (or the error code). */
function resolveFrom(cwd: string, name: string): string {
  return execFileSync(process.execPath, ['-e', `try { process.stdout.write(require.resolve(${JSON.stringify(name)})) } catch (e) { process.stdout.write(e.code) }`], { cwd, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
}


// Builds a package first (esbuild, tar, dpkg-deb and a smoke run): seconds on a quiet machine, a minute or more on a busy one.
t.setTimeout(240_000);

t.test('the unpacked tarball, alone in an empty directory, runs the agent: a drive fault becomes a ticket', async (t) => {
  const [pkg] = await buildPackages(t, ['1'], { deb: false });
  const dir = tempDir('faultline-pkg-run-');
  t.teardown(dir.remove);
  const app = unpackTarball(pkg!.tarball, join(dir.path, 'opt'));

  // Nothing of the project is reachable from the package: not the dev toolchain, not the collector's modules.
  for (const devOnly of ['tap', 'typescript', 'esbuild', 'fastify', 'aedes', 'mqtt', 'pino']) {
    t.equal(resolveFrom(join(app, 'lib'), devOnly), 'MODULE_NOT_FOUND', `${devOnly} cannot be resolved from the package`);
  }
  t.equal(resolveFrom(join(app, 'lib'), 'better-sqlite3'), join(realpathSync(app), 'node_modules', 'better-sqlite3', 'lib', 'index.js'), 'better-sqlite3 resolves inside the package');

  const collectorDir = join(dir.path, 'collector');
  const collector = await startCollector({ dataDir: collectorDir, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const { headers } = await apiCallerIn(collectorDir, 'viewer');
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());

  const config = join(dir.path, 'agent.yaml');
  writeFileSync(config, [
    `mqtt: { url: "${collector.mqttUrl}" }`,
    `stateDir: ${join(dir.path, 'state')}`,
    'telemetry: { intervalMs: 500 }',
    'devices:',
    `  - { id: drive-pkg, site: plant-p, model: VFD-4000, firmware: "2.3.1", modbus: { host: ${sim.host}, port: ${sim.port}, intervals: { normal: 200 }, timeoutMs: 500 } }`,
    '',
  ].join('\n'));
  const agent = new PackagedAgent(join(app, 'bin', 'faultline-agent'), ['--config', config], { cwd: dir.path });
  t.teardown(() => agent.stop());
  await agent.logged('agent started');
  await agent.logged('connected to broker');

  const maps = readFileSync(`/proc/${agent.pid}/maps`, 'utf8');
  const addon = maps.split('\n').find((l) => l.includes('better_sqlite3.node'));
  t.ok(addon?.includes(realpathSync(app)), `the outbox's native module is the package's own (${addon?.split(/\s+/).pop()})`);
  t.notOk(maps.includes('/node_modules/.') || maps.includes(process.cwd()), 'nothing is mapped from the project checkout');

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${collector.httpUrl}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  await waitFor('the packaged agent\'s device to come online', async () => {
    const { devices } = await api<{ devices: Array<{ device: string; online: boolean }> }>('/api/devices');
    return devices.find((d) => d.device === 'drive-pkg' && d.online);
  });
  sim.model.injectFault(1);
  const raised = await agent.logged('fault event', (l) => l.code === 'vfd.overcurrent');
  const ticket = await waitFor('a ticket for the overcurrent trip', async () => {
    const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-pkg');
    return tickets.find((x) => x.code === 'vfd.overcurrent');
  });
  t.equal(ticket.faultActive, true, 'the ticket shows the fault active');
  const detail = await api<{ events: Array<{ id: string }> }>(`/api/tickets/${ticket.id}`);
  t.same(detail.events.map((e) => e.id), [raised.id], 'the ticket holds the event the packaged agent raised');

  t.equal(await agent.stop(), 0, 'SIGTERM stops the agent cleanly (exit 0)');
});
