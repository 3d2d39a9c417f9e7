/**
 * Upgrades keep faults: package 0.2.0-1 is installed into a temp root (share/install.sh --root),
 * runs while the broker is down, and queues a fault's raise and clear in its outbox; it is
 * stopped as systemd stops it (SIGTERM), 0.2.0-2 is installed over it the same way, started, and
 * only then does the broker come up: both events arrive, each exactly once, and the outbox ends
 * empty. The installed config and state directory are left as they were.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { decodeFaultEvent } from '../../protocol/codec.js';
import { buildPackages, PackagedAgent, unpackTarball } from '../helpers/agent-package.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface Ticket { id: number; code: string; faultActive: boolean }

/** The fault events waiting in an outbox file (read after the agent that holds it has stopped). */
function queuedEvents(file: string): Array<{ id: string; transition: string; code: string }> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[], { payload: Buffer }>("SELECT payload FROM outbox WHERE kind = 'event' ORDER BY seq").all();
    return rows.map((r) => decodeFaultEvent(r.payload)).map((e) => ({ id: e.id, transition: e.transition, code: e.code }));
  } finally {
    db.close();
  }
}

// Two package builds and two agent starts: ~35 s on a quiet machine, over 90 s on a busy one.
t.setTimeout(240_000);

t.test('an event queued during an outage by version 1 is delivered exactly once by version 2 after an upgrade', async (t) => {
  const [v1, v2] = await buildPackages(t, ['1', '2'], { deb: false });
  const dir = tempDir('faultline-pkg-upgrade-');
  t.teardown(dir.remove);
  const root = join(dir.path, 'root');
  const install = (tarball: string, name: string): string => execFileSync(join(unpackTarball(tarball, join(dir.path, name)), 'share', 'install.sh'), ['--root', root], { encoding: 'utf8' });
  const agentBin = join(root, 'usr', 'bin', 'faultline-agent');
  const stateDir = join(root, 'var', 'lib', 'faultline-agent');
  const configFile = join(root, 'etc', 'faultline', 'agent.yaml');

  t.match(install(v1!.tarball, 'download-1'), /faultline-agent 0\.2\.0-1 installed/, 'version 1 installed');
  t.ok(existsSync(configFile), 'the default config was installed');
  const port = await freeLoopbackPort();
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  writeFileSync(configFile, [
    `mqtt: { url: "mqtt://127.0.0.1:${port}", reconnect: { minMs: 100, maxMs: 500 } }`,
    `stateDir: ${stateDir}`,
    'telemetry: { intervalMs: 0 }',
    'devices:',
    `  - { id: drive-up, site: plant-u, model: VFD-4000, firmware: "2.3.1", modbus: { host: ${sim.host}, port: ${sim.port}, intervals: { normal: 200 }, timeoutMs: 1500 } }`,
    '',
  ].join('\n'));
  const config = readFileSync(configFile, 'utf8');

  // Version 1, broker down: the drive trips and recovers; both events wait in the outbox.
  const first = new PackagedAgent(agentBin, ['--config', configFile], { cwd: stateDir });
  t.teardown(() => first.stop());
  await first.logged('agent started');
  sim.model.injectFault(1);
  const raise = await first.logged('fault event', (l) => l.code === 'vfd.overcurrent' && l.transition === 'raise');
  sim.model.clearFault();
  const clear = await first.logged('fault event', (l) => l.code === 'vfd.overcurrent' && l.transition === 'clear');
  t.notOk(first.lines.some((l) => l.msg === 'connected to broker'), 'version 1 never reached the broker');
  t.equal(await first.stop(), 0, 'version 1 stops on SIGTERM with exit 0');
  // (On a busy machine a slow Modbus reply may add a comm-loss event; it waits and travels the same way.)
  const queued = queuedEvents(join(stateDir, 'outbox.db'));
  t.same(queued.filter((e) => e.code === 'vfd.overcurrent').map((e) => e.id), [raise.id, clear.id], 'the raise and the clear wait in the outbox');

  // The upgrade.
  t.match(install(v2!.tarball, 'download-2'), /faultline-agent 0\.2\.0-2 installed/, 'version 2 installed over version 1');
  t.match(execFileSync(agentBin, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', FAULTLINE_NODE: process.execPath } }), /^faultline-agent 0\.2\.0-2 /, 'the installed command is version 2');
  t.same(readdirSync(join(root, 'usr', 'lib')).sort(), ['faultline-agent'], 'no half-installed copy is left beside it');
  t.equal(readFileSync(configFile, 'utf8'), config, 'the edited config is kept');
  t.same(queuedEvents(join(stateDir, 'outbox.db')), queued, 'the outbox is untouched by the upgrade');

  // Version 2 starts while the broker is still down, then the broker comes up.
  const second = new PackagedAgent(agentBin, ['--config', configFile], { cwd: stateDir });
  t.teardown(() => second.stop());
  await second.logged('agent started');
  const collectorDir = join(dir.path, 'collector');
  const collector = await startCollector({ dataDir: collectorDir, mqttHost: '127.0.0.1', mqttPort: port, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const connected = await second.logged('connected to broker');
  t.ok(Number(connected.backlog) >= 2, `version 2 connects with the backlog of version 1 (${String(connected.backlog)} messages)`);

  const { headers } = await apiCallerIn(collectorDir, 'viewer');
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${collector.httpUrl}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const ticket = await waitFor('the overcurrent ticket, its fault cleared', async () => {
    const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-up');
    return tickets.find((x) => x.code === 'vfd.overcurrent' && !x.faultActive);
  });
  const detail = await api<{ events: Array<{ id: string; transition: string }> }>(`/api/tickets/${ticket.id}`);
  t.same(detail.events.map((e) => e.id).sort(), [raise.id, clear.id].sort(), 'the ticket holds the raise and the clear, each once');
  const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-up');
  t.equal(tickets.filter((x) => x.code === 'vfd.overcurrent').length, 1, 'one overcurrent ticket, no duplicate');
  const stored = await waitFor('every queued event on a ticket', async () => {
    const ids: string[] = [];
    for (const x of (await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-up')).tickets) ids.push(...(await api<{ events: Array<{ id: string }> }>(`/api/tickets/${x.id}`)).events.map((e) => e.id));
    return queued.every((q) => ids.includes(q.id)) ? ids : undefined;
  });
  t.same(queued.map((q) => stored.filter((id) => id === q.id).length), queued.map(() => 1), `each of the ${queued.length} queued events stored exactly once`);
  const health = await api<{ ingest: { duplicates: number } }>('/api/health');
  t.equal(health.ingest.duplicates, 0, 'the collector saw no duplicate');
  t.equal(second.lines.filter((l) => l.msg === 'fault event' && l.code === 'vfd.overcurrent').length, 0, 'version 2 raised no overcurrent itself: those are version 1\'s');

  t.equal(await second.stop(), 0, 'version 2 stops with exit 0');
  const left = new Set(queuedEvents(join(stateDir, 'outbox.db')).map((e) => e.id));
  t.same(queued.filter((q) => left.has(q.id)), [], 'none of the queued events is left in the outbox');
});
