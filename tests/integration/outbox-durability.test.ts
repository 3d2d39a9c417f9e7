/**
 * The outbox's two durabilities (agent/outbox/outbox.ts), watched from outside a real writer
 * process (tests/helpers/outbox-writer-child.ts): fault events are fsync'd one by one; telemetry
 * and status batches and deletions are not (that is ~0.1% of a core at one batch a second), unless
 * `fsyncTelemetry` asks for it; and what is not fsync'd still survives a SIGKILL of the writer.
 * strace counts the writer's fsync/fdatasync calls.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { openOutbox } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';
import { STRACE, testNeeding } from '../helpers/required-tool.js';
import { tempDir } from '../helpers/temp-dir.js';

const child = fileURLToPath(new URL('../helpers/outbox-writer-child.js', import.meta.url));
const N = 40;

/** fsync + fdatasync calls of one writer run, from strace's summary. */
function syncCalls(dir: string, kind: string, fsyncTelemetry: boolean, count = N): number {
  const name = `${kind}-${count}-${fsyncTelemetry ? 1 : 0}`;
  const out = join(dir, `${name}.strace`);
  const file = join(dir, `${name}.db`);
  const r = spawnSync('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync', '-o', out, process.execPath, child, file, kind, String(count), fsyncTelemetry ? '1' : '0', 'close'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`writer under strace failed (${r.status}): ${r.stderr}`);
  let calls = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.at(-1) === 'fsync' || cols.at(-1) === 'fdatasync') calls += Number(cols[3]);
  }
  return calls;
}

testNeeding(STRACE, 'fault events are fsync\'d one by one; telemetry and status are not, unless fsyncTelemetry', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  // Creating the file and its schema and the checkpoint on close sync a few times whatever is written.
  const empty = syncCalls(dir.path, 'telemetry', false, 0);
  const events = syncCalls(dir.path, 'event', false);
  const telemetry = syncCalls(dir.path, 'telemetry', false);
  const status = syncCalls(dir.path, 'status', false);
  const telemetryFsynced = syncCalls(dir.path, 'telemetry', true);
  t.ok(events >= empty + N, `${N} fault event appends: ${events} fsync calls, ${empty} opening and closing an empty outbox`);
  t.ok(telemetry <= empty + 2, `${N} telemetry appends and their deletions: ${telemetry} fsync calls (${empty} for an empty outbox)`);
  t.ok(status <= empty + 2, `${N} status appends and their deletions: ${status} fsync calls`);
  t.ok(telemetryFsynced >= empty + 2 * N, `with fsyncTelemetry: ${telemetryFsynced} fsync calls for ${N} appends and ${N} deletions`);
});

t.test('telemetry written without an fsync survives a SIGKILL of the writer right after the append', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'outbox.db');
  const r = spawnSync(process.execPath, [child, file, 'telemetry', '7', '0', 'kill'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.signal, 'SIGKILL', `the writer was killed (${r.stderr})`);
  const outbox = openOutbox({ file, log: silentLogger() });
  t.teardown(() => outbox.close());
  t.same(outbox.depth(), { event: 0, telemetry: 7, status: 0, total: 7 }, 'every telemetry batch appended before the kill is there');
  t.equal(outbox.peek(0, 100).length, 7);
});
