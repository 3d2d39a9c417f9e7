/**
 * No test server outlives its test process, however that process ends (tests/helpers/
 * server-process.ts): after an uncaught error the servers are killed and their temp dirs removed;
 * after a SIGKILL of the test process the kernel kills them (setpriv --pdeathsig).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isRunning as alive } from '../../helpers/process-state.js';
import { waitFor } from '../../helpers/wait.js';

const fixture = fileURLToPath(new URL('../../helpers/server-crash-fixture.js', import.meta.url));

interface Started { pgPid: number; pgDir: string; mqPid: number; mqDir: string }

async function runFixture(how: 'throw' | 'hang'): Promise<{ started: Started; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [fixture, how], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  const started = await waitFor('the fixture to start its servers', () => {
    const line = out.split('\n').find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as Started) : undefined;
  }, 30_000);
  return { started, child };
}

t.test('an uncaught error: servers killed, dirs removed', async (t) => {
  const { started, child } = await runFixture('throw');
  t.teardown(() => { for (const d of [started.pgDir, started.mqDir]) rmSync(d, { recursive: true, force: true }); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.not(code, 0, 'the fixture failed');
  await waitFor('the servers to die', () => (!alive(started.pgPid) && !alive(started.mqPid) ? true : undefined), 5000);
  t.pass('postgres and mosquitto are gone');
  t.notOk(existsSync(started.pgDir), 'postgres dir removed');
  t.notOk(existsSync(started.mqDir), 'mosquitto dir removed');
});

t.test('SIGKILL of the test process: the kernel kills the servers', async (t) => {
  const { started, child } = await runFixture('hang');
  t.teardown(() => { for (const d of [started.pgDir, started.mqDir]) rmSync(d, { recursive: true, force: true }); });
  t.ok(alive(started.pgPid) && alive(started.mqPid), 'both running');
  child.kill('SIGKILL');
  await waitFor('the servers to die with their parent', () => (!alive(started.pgPid) && !alive(started.mqPid) ? true : undefined), 5000);
  t.pass('postgres and mosquitto are gone');
  // orphans are reaped by PID 1, not by us: give it a moment so no zombie outlives the test
  const reaped = await waitFor('init to reap them', () => (!existsSync(`/proc/${started.pgPid}`) && !existsSync(`/proc/${started.mqPid}`) ? true : undefined), 10_000)
    .catch(() => false);
  if (!reaped) t.comment('the dead servers are still zombies waiting for PID 1 to reap them');
});
