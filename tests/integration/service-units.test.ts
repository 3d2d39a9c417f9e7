/**
 * The agent's and the collector's systemd units: `systemd-analyze verify` accepts them (pointed
 * at a real installed tree: the agent's .deb unpacked into a temp root; the built checkout for the
 * collector), they carry the user, restart, state and hardening settings, and the commands they
 * run behave: the agent's config check passes a good config and fails a bad one with its line,
 * and the collector started by the unit's own ExecStart drains and exits 0 on SIGTERM.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PROJECT_ROOT } from '../../agent/package/build.js';
import { buildPackages } from '../helpers/agent-package.js';
import { exposure, unitSettings, verifyUnit } from '../helpers/systemd-unit.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const HARDENING: ReadonlyArray<[string, string]> = [
  ['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', ''],
  ['ProtectKernelTunables', 'yes'], ['ProtectKernelModules', 'yes'], ['ProtectControlGroups', 'yes'], ['RestrictSUIDSGID', 'yes'],
  ['SystemCallArchitectures', 'native'],
];

/** Splits an Exec line as systemd does for these units (no quoting in them). */
const argv = (line: string): string[] => line.split(/\s+/).filter(Boolean);


// Builds a package first (esbuild, tar, dpkg-deb and a smoke run): seconds on a quiet machine, a minute or more on a busy one.
t.setTimeout(240_000);

t.test('the agent unit: verified against the installed .deb, a hardened service whose config check runs first', async (t) => {
  const [pkg] = await buildPackages(t, ['1']);
  const dir = tempDir('faultline-unit-agent-');
  t.teardown(dir.remove);
  const root = join(dir.path, 'root');
  execFileSync('dpkg-deb', ['-x', pkg!.deb!, root]);
  const original = readFileSync(join(root, 'lib', 'systemd', 'system', 'faultline-agent.service'), 'utf8');
  // The same unit, pointing at the unpacked tree instead of /usr/lib and /etc.
  const unitFile = join(dir.path, 'faultline-agent.service');
  writeFileSync(unitFile, original.replaceAll('/usr/lib/faultline-agent', join(root, 'usr', 'lib', 'faultline-agent')).replaceAll('/etc/faultline/', `${join(root, 'etc', 'faultline')}/`));

  const verified = verifyUnit(unitFile);
  t.equal(verified.code, 0, 'systemd-analyze verify exits 0');
  t.same(verified.problems, [], 'and complains of nothing');
  if (verified.tolerated.length > 0) t.comment(`settings this systemd is too old for, ignored by it: ${verified.tolerated.join('; ')}`);
  const level = exposure(unitFile);
  t.ok(level <= 2.5, `systemd-analyze security: exposure ${level} (0 = locked down, 10 = unsafe)`);

  const s = unitSettings(original);
  const one = (key: string): string | undefined => s.get(key)?.at(-1);
  t.equal(one('Service.User'), 'faultline-agent', 'its own user');
  t.equal(one('Service.SupplementaryGroups'), 'dialout', 'in dialout, for serial ports');
  t.equal(one('Service.Restart'), 'on-failure', 'restarted after a failure');
  t.ok(one('Service.RestartSec') && one('Service.RestartSteps') && one('Service.RestartMaxDelaySec'), 'with a growing delay');
  t.equal(one('Unit.StartLimitBurst'), '5', 'and not forever');
  t.equal(one('Service.StateDirectory'), 'faultline-agent', 'state in /var/lib/faultline-agent');
  t.equal(one('Service.ExecStart'), '/usr/lib/faultline-agent/bin/faultline-agent --config /etc/faultline/agent.yaml', 'reads /etc/faultline/agent.yaml');
  t.equal(one('Service.ExecStartPre'), '/usr/lib/faultline-agent/bin/faultline-agent check --config /etc/faultline/agent.yaml', 'checks it before every start');
  t.equal(one('Service.StandardOutput'), 'journal', 'logs to the journal');
  for (const [key, value] of HARDENING) t.equal(one(`Service.${key}`), value, `${key}=${value}`);
  t.equal(s.get('Service.ReadWritePaths')?.join(''), '', 'no writable path besides the state directory');
  t.notOk(s.has('Service.MemoryDenyWriteExecute'), 'MemoryDenyWriteExecute is not set (V8 needs it off)');

  // The commands, as the rewritten unit runs them.
  const rewritten = unitSettings(readFileSync(unitFile, 'utf8'));
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', FAULTLINE_NODE: process.execPath };
  const [cmd, ...args] = argv(rewritten.get('Service.ExecStartPre')![0]!);
  const good = spawnSync(cmd!, args, { env, encoding: 'utf8' });
  t.equal(good.status, 0, 'ExecStartPre passes the default config');
  t.match(good.stdout, /config OK/);
  const configFile = join(root, 'etc', 'faultline', 'agent.yaml');
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('url: mqtt://127.0.0.1:1883', 'url: http://127.0.0.1:1883'));
  const bad = spawnSync(cmd!, args, { env, encoding: 'utf8' });
  t.equal(bad.status, 1, 'ExecStartPre fails a bad config, so the service does not start');
  t.match(bad.stderr, /agent\.yaml:\d+:\d+: mqtt\.url: must match pattern/, 'naming the file, the line and the key');

  // A unit with a setting systemd cannot parse is caught by the same check.
  const broken = join(dir.path, 'broken', 'faultline-agent.service');
  execFileSync('mkdir', ['-p', join(dir.path, 'broken')]);
  writeFileSync(broken, readFileSync(unitFile, 'utf8').replace('Restart=on-failure', 'Restart=sometimes'));
  t.match(verifyUnit(broken).problems.join('\n'), /restart specifier.*sometimes/, 'a broken unit is reported');
});

t.test('the collector unit: verified, hardened, and its ExecStart drains and exits 0 on SIGTERM', async (t) => {
  const dir = tempDir('faultline-unit-collector-');
  t.teardown(dir.remove);
  const original = readFileSync(join(PROJECT_ROOT, 'collector', 'service', 'faultline-collector.service'), 'utf8');
  const unitFile = join(dir.path, 'faultline-collector.service');
  const dataDir = join(dir.path, 'state');
  writeFileSync(unitFile, original.replaceAll('/usr/bin/node', process.execPath).replaceAll('/opt/faultline/', PROJECT_ROOT).replaceAll('/var/lib/faultline-collector', dataDir));

  const verified = verifyUnit(unitFile);
  t.equal(verified.code, 0, 'systemd-analyze verify exits 0');
  t.same(verified.problems, [], 'and complains of nothing');
  const level = exposure(unitFile);
  t.ok(level <= 2.5, `systemd-analyze security: exposure ${level}`);

  const s = unitSettings(original);
  const one = (key: string): string | undefined => s.get(key)?.at(-1);
  t.equal(one('Service.User'), 'faultline', 'its own user');
  t.equal(one('Service.StateDirectory'), 'faultline-collector', 'state in /var/lib/faultline-collector');
  t.equal(one('Service.KillSignal'), 'SIGTERM', 'stopped with SIGTERM');
  t.equal(one('Service.KillMode'), 'mixed', 'to the collector alone first');
  for (const [key, value] of HARDENING) t.equal(one(`Service.${key}`), value, `${key}=${value}`);
  const stopS = Number(/^(\d+)s$/.exec(one('Service.TimeoutStopSec') ?? '')?.[1]);
  t.ok(stopS >= 30, `TimeoutStopSec leaves time to drain (${stopS} s)`);

  // The unit's own ExecStart (FAULTLINE_COLLECTOR_ARGS set as a drop-in would), stopped as systemd stops it.
  const rewritten = unitSettings(readFileSync(unitFile, 'utf8'));
  const line = rewritten.get('Service.ExecStart')![0]!.replace('$FAULTLINE_COLLECTOR_ARGS', '--mqtt-host 127.0.0.1 --mqtt-port 0 --http-host 127.0.0.1 --http-port 0');
  const [cmd, ...args] = argv(line);
  const child = spawn(cmd!, args, { cwd: dir.path, env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production', FAULTLINE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const started = await waitFor('the collector to start', () => {
    if (child.exitCode !== null) throw new Error(`collector exited ${child.exitCode}: ${out}`);
    const l = out.split('\n').find((x) => x.includes('"msg":"collector started"'));
    return l ? (JSON.parse(l) as { httpUrl: string }) : undefined;
  }, 30_000);
  const health = await fetch(`${started.httpUrl}/api/health`);
  t.ok(health.status < 500, `it answers HTTP (${health.status})`);
  const t0 = Date.now();
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: exit 0');
  t.ok(Date.now() - t0 < stopS * 1000, `stopped in ${Date.now() - t0} ms, within TimeoutStopSec`);
  t.match(out, /"msg":"collector stopped"/, 'after stopping its parts in order');
});
