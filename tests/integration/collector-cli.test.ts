import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { collectorCommand } from '../../collector/cli.js';

t.test('runs until SIGTERM, serving the API, then stops cleanly with exit code 0', async (t) => {
  process.env.FAULTLINE_LOG_LEVEL = 'silent';
  const handlersBefore = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let stdout = '';
  let announced: () => void = () => {};
  const running = new Promise<void>((resolve) => { announced = resolve; });
  const io = {
    stdout: { write: (s: string) => { stdout += s; if (stdout.includes('running')) announced(); } },
    stderr: { write: (s: string) => { stdout += s; announced(); } },
  };
  const exit = collectorCommand(['--data-dir', dir, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0'], io);
  await running;
  const url = /HTTP API: (\S+)/.exec(stdout)?.[1];
  t.ok(url, `announced the API URL: ${stdout}`);
  const res = await fetch(url ?? '');
  t.equal(res.status, 200);
  t.equal(((await res.json()) as { status: string }).status, 'ok');
  process.emit('SIGTERM', 'SIGTERM');
  t.equal(await exit, 0);
  t.equal(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT'), handlersBefore, 'signal handlers removed');
});
