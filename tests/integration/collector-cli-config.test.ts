/**
 * `faultline collector --config FILE`: an invalid file stops the start with its problems; SIGHUP
 * re-reads the file without a restart and refuses an invalid one, keeping the config in use.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { collectorCommand } from '../../collector/cli.js';
import { DESK_YAML } from '../helpers/desk-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

const ARGS = ['--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0'];

function capture() {
  const out = { text: '' };
  const io = { stdout: { write: (s: string) => { out.text += s; } }, stderr: { write: (s: string) => { out.text += s; } } };
  return { out, io };
}

t.test('a config file with problems stops the start, naming line, key and fix', async (t) => {
  process.env.FAULTLINE_LOG_LEVEL = 'silent';
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'desk.yaml');
  writeFileSync(file, 'routing:\n  defaultTeam: nobody\n');
  const { out, io } = capture();
  t.equal(await collectorCommand(['--config', file, '--data-dir', dir.path, ...ARGS], io), 1);
  t.match(out.text, /desk\.yaml:2: routing: unknown default team nobody\. Fix: route to teams that exist/);
});

t.test('SIGHUP reloads the config; an invalid file is refused and the old one stays', async (t) => {
  process.env.FAULTLINE_LOG_LEVEL = 'silent';
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'desk.yaml');
  writeFileSync(file, DESK_YAML);
  const hupBefore = process.listenerCount('SIGHUP');
  const { out, io } = capture();
  const exit = collectorCommand(['--config', file, '--data-dir', dir.path, ...ARGS], io);
  const url = await waitFor('the collector to announce its API', () => /HTTP API: (\S+)\/api\/health/.exec(out.text)?.[1]);
  const hold = async (): Promise<number> => {
    const res = await fetch(`${url}/api/config`, { headers: (await apiCallerIn(dir.path, 'engineer')).headers });
    return ((await res.json()) as { config: { lifecycle: { verifyCloseHoldSeconds: number } } }).config.lifecycle.verifyCloseHoldSeconds;
  };
  t.equal(await hold(), 600);

  writeFileSync(file, DESK_YAML.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: 45'));
  process.emit('SIGHUP', 'SIGHUP');
  t.equal(await hold(), 45, 'the new file is in use');
  t.match(out.text, /config reloaded from .*desk\.yaml/);

  writeFileSync(file, DESK_YAML.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: soon'));
  process.emit('SIGHUP', 'SIGHUP');
  // The reload reads the store first (asynchronously), so its answer comes a moment later.
  await waitFor('the refusal', () => (/config not reloaded/.test(out.text) ? true : undefined));
  t.match(out.text, /config not reloaded, the config in use stays: .*desk\.yaml:\d+: lifecycle\.verifyCloseHoldSeconds: must be number/s);
  t.equal(await hold(), 45, 'the config in use stays');

  process.emit('SIGTERM', 'SIGTERM');
  t.equal(await exit, 0);
  t.equal(process.listenerCount('SIGHUP'), hupBefore, 'the SIGHUP handler is removed');
});
