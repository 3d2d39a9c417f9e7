/**
 * Where a process's log lines go: a sink over stdout that never blocks and never throws (a log
 * reader that goes away or stops reading must not stop the process).
 */
import type { DestinationStream } from 'pino';

/**
 * How many bytes of log lines may wait for a stdout that is not reading before new lines are
 * dropped. Bounded so that a stalled log reader costs memory up to this, never the process.
 */
export const MAX_PENDING_LOG_BYTES = 256 * 1024;

/** The little a log sink needs of a writable stream (process.stdout in production, a fake in tests). */
export interface SinkStream {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
  readonly writableLength: number;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
}

export interface LogSinkState {
  /** The stream failed (EPIPE: its reader went away, or any other write error): every line is dropped from then on. */
  failed: boolean;
  /** Lines dropped, because the sink failed or because its reader was not reading. */
  dropped: number;
}

/**
 * A destination that never blocks and never throws: pino's default stdout destination spins on
 * EAGAIN when flushing at exit (so SIGTERM hangs while a pipe reader is stalled) and buffers
 * without bound meanwhile. Lines go through the stream's own (non-blocking) queue; beyond
 * MAX_PENDING_LOG_BYTES they are dropped and counted; a stream error drops the sink for good.
 * Each state change is said once on `note` (stderr).
 */
export function guardedSink(stream: SinkStream, note: (line: string) => void, maxPending = MAX_PENDING_LOG_BYTES): DestinationStream & { state: LogSinkState } {
  const state: LogSinkState = { failed: false, dropped: 0 };
  let stalled = false;
  let droppedWhileStalled = 0;
  const fail = (err: Error): void => {
    if (state.failed) return;
    state.failed = true;
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    note(`faultline: stdout is closed (${code}); log lines are dropped from now on, the process goes on\n`);
  };
  stream.on('error', fail);
  stream.on('drain', () => {
    if (!stalled || state.failed) return;
    stalled = false;
    note(`faultline: stdout is reading again; ${droppedWhileStalled} log lines were dropped meanwhile\n`);
    droppedWhileStalled = 0;
  });
  return {
    state,
    write(line: string): void {
      if (state.failed) {
        state.dropped++;
        return;
      }
      if (stream.writableLength + line.length > maxPending) {
        state.dropped++;
        droppedWhileStalled++;
        if (!stalled) {
          stalled = true;
          note(`faultline: stdout is not reading (${stream.writableLength} bytes waiting); log lines are dropped until it reads again\n`);
        }
        return;
      }
      try {
        stream.write(line);
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
}

let processSink: (DestinationStream & { state: LogSinkState }) | undefined;

/** One guarded sink over process.stdout per process; it also keeps an EPIPE on stdout (any writer's) from killing the process. */
export function stdoutSink(): DestinationStream & { state: LogSinkState } {
  if (!processSink) {
    process.stderr.on('error', () => { /* nowhere left to say it */ });
    processSink = guardedSink(process.stdout, (line) => {
      try {
        process.stderr.write(line);
      } catch {
        // stderr is gone too: nothing to do.
      }
    });
  }
  return processSink;
}
