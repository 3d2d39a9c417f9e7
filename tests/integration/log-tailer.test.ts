/**
 * The log tailer on real files in temp dirs: append, partial lines, rename rotation, copytruncate,
 * restart from the persisted offset (no duplicate, no gap), rotation while stopped, an over-long
 * line, CRLF, a missing file (and directory) appearing later.
 */
import { appendFileSync, copyFileSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { LogTailer, type LogTailerOptions, type TailBatch } from '../../agent/sources/log-tailer.js';
import { CLIP_MARK } from '../../agent/sources/line-splitter.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface Harness {
  tailer: LogTailer;
  lines: string[];
  batches: TailBatch[];
}

/** A tailer whose consumer records lines and commits each batch's last position (unless `commit` says otherwise). */
function harness(t: Test, dir: string, opts: Partial<LogTailerOptions> & { commit?: (line: string) => boolean } = {}): Harness {
  const lines: string[] = [];
  const batches: TailBatch[] = [];
  const { commit = () => true, ...rest } = opts;
  const tailer: LogTailer = new LogTailer({
    path: join(dir, 'app.log'), statePath: join(dir, 'state', 'app.json'), log: silentLogger(),
    pollIntervalMs: 20, persistIntervalMs: 0,
    onLines: (b) => {
      batches.push(b);
      b.lines.forEach((line, i) => {
        lines.push(line);
        if (commit(line)) tailer.commit({ file: b.file, offset: b.ends[i]! });
      });
    },
    ...rest,
  });
  t.teardown(() => tailer.stop());
  return { tailer, lines, batches };
}

const has = (h: Harness, n: number) => () => (h.lines.length >= n ? true : undefined);

t.test('follows appends from the end of an existing file; a partial line waits for its newline', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, 'old 1\nold 2\n');
  const h = harness(t, dir.path);
  await h.tailer.start();
  appendFileSync(file, 'new 1\nnew 2\npart');
  await waitFor('two new lines', has(h, 2));
  appendFileSync(file, 'ial\r\nnew 4\n');
  await waitFor('the completed line', has(h, 4));
  t.same(h.lines, ['new 1', 'new 2', 'partial', 'new 4'], 'existing lines skipped (startAt end), CRLF removed');
  t.equal(h.tailer.counters().linesRead, 4);
});

t.test('fs.watch brings an append in long before the next poll', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'app.log'), '');
  const h = harness(t, dir.path, { pollIntervalMs: 600_000 });
  await h.tailer.start();
  appendFileSync(join(dir.path, 'app.log'), 'hello\n');
  await waitFor('the line, without waiting ten minutes for a poll', has(h, 1));
  t.same(h.lines, ['hello']);
});

t.test('startAt beginning reads what is already there', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'app.log'), 'a\nb\n');
  const h = harness(t, dir.path, { startAt: 'beginning' });
  await h.tailer.start();
  await waitFor('both lines', has(h, 2));
  t.same(h.lines, ['a', 'b']);
});

t.test('rename rotation (logrotate create): the old file is read to its end, then the new one from 0', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const h = harness(t, dir.path, { rotateGraceMs: 100 });
  await h.tailer.start();
  const writer = openSync(file, 'a'); // a daemon that keeps its descriptor across the rename
  t.teardown(() => closeSync(writer));
  writeSync(writer, 'before 1\nbefore 2\n');
  await waitFor('lines before rotation', has(h, 2));
  renameSync(file, `${file}.1`);
  writeSync(writer, 'late line to the old file\nno newline at the end');
  writeFileSync(file, 'after 1\n');
  appendFileSync(file, 'after 2\n');
  await waitFor('lines after rotation', has(h, 6));
  t.same(h.lines, ['before 1', 'before 2', 'late line to the old file', 'no newline at the end', 'after 1', 'after 2'], 'no line lost, none twice, in order');
  t.equal(h.tailer.counters().rotations, 1);
  appendFileSync(file, 'after 3\n');
  await waitFor('the new file is followed', has(h, 7));
});

t.test('copytruncate: size below the read position means start again at 0', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const h = harness(t, dir.path);
  await h.tailer.start();
  appendFileSync(file, 'a long first line before rotation\nanother long line before rotation\n');
  await waitFor('first lines', has(h, 2));
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  await waitFor('truncation noticed', () => (h.tailer.counters().truncations === 1 ? true : undefined));
  appendFileSync(file, 'x 1\nx 2\n');
  await waitFor('lines after truncation', has(h, 4));
  t.same(h.lines.slice(2), ['x 1', 'x 2']);
});

t.test('restart from the persisted offset: no line twice, none skipped', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const first = harness(t, dir.path, { persistIntervalMs: 60_000 }); // written on stop only
  await first.tailer.start();
  appendFileSync(file, 'one\ntwo\nthree\n');
  await waitFor('three lines', has(first, 3));
  appendFileSync(file, 'four\n');
  await waitFor('four lines', has(first, 4));
  await first.tailer.stop();
  appendFileSync(file, 'five\nsix\n'); // written while the agent is down
  const second = harness(t, dir.path);
  await second.tailer.start();
  await waitFor('the lines written while stopped', has(second, 2));
  appendFileSync(file, 'seven\n');
  await waitFor('and new ones', has(second, 3));
  t.same(first.lines, ['one', 'two', 'three', 'four']);
  t.same(second.lines, ['five', 'six', 'seven']);
});

t.test('a crash before the consumer commits: the uncommitted lines come again (at-least-once)', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const first = harness(t, dir.path, { commit: (line) => line !== 'three' && line !== 'four' });
  await first.tailer.start();
  appendFileSync(file, 'one\ntwo\nthree\nfour\n');
  await waitFor('four lines', has(first, 4));
  await first.tailer.flushState();
  const crashed = readFileSync(join(dir.path, 'state', 'app.json'), 'utf8'); // the state as a crash right now leaves it
  await first.tailer.stop();
  writeFileSync(join(dir.path, 'state', 'app.json'), crashed);
  const second = harness(t, dir.path);
  await second.tailer.start();
  await waitFor('the uncommitted lines', has(second, 2));
  t.same(second.lines, ['three', 'four'], 'persisted only up to what was committed');
});

t.test('rotated while stopped: the rest of the old file (found by inode), then the new file', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const first = harness(t, dir.path);
  await first.tailer.start();
  appendFileSync(file, 'one\n');
  await waitFor('one line', has(first, 1));
  await first.tailer.stop();
  appendFileSync(file, 'two\n');
  renameSync(file, `${file}-20250310`);
  writeFileSync(file, 'three\nfour\n');
  const second = harness(t, dir.path);
  await second.tailer.start();
  await waitFor('old rest and new file', has(second, 3));
  t.same(second.lines, ['two', 'three', 'four']);
  t.same(second.batches.map((b) => b.path), [`${file}-20250310`, file], 'each batch says which file it came from');
  await second.tailer.stop();
  const third = harness(t, dir.path);
  await third.tailer.start();
  appendFileSync(file, 'five\n');
  await waitFor('five', has(third, 1));
  t.same(third.lines, ['five'], 'after the rotated file was finished the position moved on to the new file');
  t.equal(third.tailer.counters().lostRotations, 0);
});

t.test('an over-long line is cut at maxLineBytes (on a character boundary) and counted', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const file = join(dir.path, 'app.log');
  writeFileSync(file, '');
  const h = harness(t, dir.path, { maxLineBytes: 100, chunkBytes: 64 });
  await h.tailer.start();
  appendFileSync(file, `${'é'.repeat(30)}${'x'.repeat(1000)}\nshort\n${'y'.repeat(150)}\n`);
  await waitFor('three lines', has(h, 3));
  t.equal(h.lines[0], `${'é'.repeat(30)}${'x'.repeat(40)}${CLIP_MARK}`, '100 bytes: 30 two-byte characters and 40 x, and the clip mark');
  t.equal(h.lines[1], 'short', 'the next line is intact');
  t.equal(h.lines[2], `${'y'.repeat(100)}${CLIP_MARK}`);
  t.equal(h.tailer.counters().truncatedLines, 2);
});

t.test('a missing file (and directory) is waited for, counted once, and read from 0 when it appears', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  const logs = join(dir.path, 'not-yet');
  const h = harness(t, logs, { statePath: join(dir.path, 'state.json') });
  await h.tailer.start();
  await waitFor('a few polls', () => (h.tailer.counters().polls >= 5 ? true : undefined));
  t.equal(h.tailer.counters().missing, 1, 'counted once, not per poll');
  mkdirSync(logs);
  writeFileSync(join(logs, 'app.log'), 'hello\nworld\n');
  await waitFor('the lines of the new file', has(h, 2));
  t.same(h.lines, ['hello', 'world']);
});

t.test('an unusable state file is reported and ignored', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  mkdirSync(join(dir.path, 'state'));
  writeFileSync(join(dir.path, 'state', 'app.json'), '{not json');
  writeFileSync(join(dir.path, 'app.log'), 'x\n');
  const h = harness(t, dir.path);
  await h.tailer.start();
  t.equal(h.tailer.counters().stateErrors, 1);
  appendFileSync(join(dir.path, 'app.log'), 'y\n');
  await waitFor('y', has(h, 1));
  t.same(h.lines, ['y']);
  await h.tailer.stop();
  t.match(JSON.parse(readFileSync(join(dir.path, 'state', 'app.json'), 'utf8')), { version: 1, path: join(dir.path, 'app.log'), offset: 4 }, 'rewritten');
});

t.test('stop() leaves no timer, watcher or file handle behind', async (t) => {
  const dir = tempDir(); t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'app.log'), 'x\n');
  const count = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  };
  await new Promise((r) => setImmediate(r));
  const before = count();
  const h = harness(t, dir.path, { persistIntervalMs: 1000 });
  await h.tailer.start();
  appendFileSync(join(dir.path, 'app.log'), 'y\n');
  await waitFor('a line', has(h, 1));
  await h.tailer.stop();
  await new Promise((r) => setImmediate(r));
  const left = [...count()].filter(([kind, n]) => n > (before.get(kind) ?? 0) && kind !== 'CloseReq');
  t.same(left, [], 'no more timers, watchers or handles than before start()');
});
