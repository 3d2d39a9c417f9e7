/** A pino logger whose output a test reads back: its JSON lines kept in memory, as written. */
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export interface CapturedLog {
  log: Logger;
  /** Everything logged so far (one JSON object a line). */
  text(): string;
}

export function capturedLog(level: LevelWithSilent = 'info'): CapturedLog {
  let logged = '';
  const log = pino({ level }, new Writable({ write(chunk: Buffer, _enc, cb) { logged += chunk.toString(); cb(); } }));
  return { log, text: () => logged };
}
