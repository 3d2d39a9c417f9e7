/**
 * #15.11 One data directory, one collector: a second collector or demo on a data directory in use
 * refuses at start, before it touches anything (the demo would otherwise re-provision the running
 * plant's device credentials), naming the holder; the lock of a killed collector is taken over.
 * Real processes: the CLI started twice on one directory.
 */
import { hostname } from 'node:os';
import t from 'tap';
import { collectorAnnounced, runCli as run, type CliChild as Proc } from '../helpers/cli-child.js';
import { openTestStore } from '../helpers/test-database.js';
import { tempDir } from '../helpers/temp-dir.js';

// Four collector or demo processes start one after another: minutes on a loaded 2-core machine.
t.setTimeout(300_000);

const collectorArgs = (dir: string): string[] => ['collector', '--data-dir', dir, '--mqtt-port', '0', '--http-port', '0', '--mqtt-host', '127.0.0.1', '--http-host', '127.0.0.1'];

const running = collectorAnnounced;

/** Exit code of a process that must end by itself; fails (and kills it) when it keeps running. */
async function exitCode(p: Proc, what: string): Promise<number | null> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  const code = await p.exited;
  clearTimeout(timer);
  if (p.child.signalCode === 'SIGKILL') throw new Error(`${what} kept running; output:\n${p.output()}`);
  return code;
}

async function credentialNames(dir: string): Promise<string[]> {
  const store = openTestStore(dir, Date.now());
  try {
    return (await store.credentials.list()).map((c) => `${c.username}:${c.createdMs}:${String(c.rotatedMs)}`).sort();
  } finally {
    await store.close();
  }
}

t.test('a second collector and a demo on a data directory in use refuse at start and name the holder', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const first = run(t, collectorArgs(dir.path));
  await running(first);
  const pid = String(first.child.pid);
  // A device credential of the running plant: the demo must not replace it.
  const add = run(t, ['device', 'add', '--data-dir', dir.path, '--site', 'plant', '--device', 'drive-1']);
  t.equal(await exitCode(add, 'device add'), 0, 'device add succeeds');
  const before = await credentialNames(dir.path);
  t.equal(before.length, 1);

  const second = run(t, collectorArgs(dir.path));
  t.equal(await exitCode(second, 'the second collector'), 1, 'the second collector exits with an error');
  t.match(second.output(), /FL_ERR_STORE_DIR_IN_USE|in use by another collector/);
  t.match(second.output(), new RegExp(`pid ${pid}\\b`), 'names the holder\'s pid');
  t.match(second.output(), hostname(), 'names the holder\'s host');
  t.match(second.output(), /since \d{4}-\d\d-\d\dT/, 'names when the holder started');

  const demo = run(t, ['demo', '--data-dir', dir.path, '--mqtt-port', '0', '--http-port', '0', '--devices', '1']);
  t.equal(await exitCode(demo, 'the demo'), 1, 'the demo exits with an error');
  t.match(demo.output(), new RegExp(`pid ${pid}\\b`));
  t.same(await credentialNames(dir.path), before, 'the running plant\'s device credentials are untouched');
  t.equal(first.child.exitCode, null, 'the first collector still runs');
});

t.test('the lock of a killed collector is taken over', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const first = run(t, collectorArgs(dir.path));
  await running(first);
  first.child.kill('SIGKILL');
  await first.exited;
  const next = run(t, collectorArgs(dir.path));
  await running(next);
  t.pass('a collector starts on the directory of a killed one');
  next.child.kill('SIGTERM');
  t.equal(await exitCode(next, 'the collector after SIGTERM'), 0);
  // and after a clean stop the directory is free again
  const again = run(t, collectorArgs(dir.path));
  await running(again);
  t.pass('the directory is free after a clean stop');
});
