/**
 * A process that writes an outbox file the way the agent does, for tests that watch it from the
 * outside (its system calls, or what a SIGKILL leaves behind).
 * argv: FILE KIND COUNT FSYNC_TELEMETRY(0|1) END(close|kill)
 * Appends COUNT messages of KIND (telemetry and status are deleted again right after, as the
 * drainer does on their PUBACK, unless END is kill), then closes the file or kills itself with SIGKILL.
 */
import { openOutbox, OUTBOX_KINDS } from '../../agent/outbox/index.js';
import { silentLogger } from '../../protocol/logger.js';

const [file, kindArg, countArg, fsyncArg, end] = process.argv.slice(2);
const kind = OUTBOX_KINDS.find((k) => k === kindArg);
if (file === undefined || kind === undefined || (end !== 'close' && end !== 'kill')) {
  process.stderr.write('usage: outbox-writer-child FILE event|telemetry|status COUNT 0|1 close|kill\n');
  process.exit(2);
}
const outbox = openOutbox({ file, log: silentLogger(), fsyncTelemetry: fsyncArg === '1' });
const payload = Buffer.alloc(2600, 7); // about one 100-register telemetry batch
for (let i = 0; i < Number(countArg); i++) {
  const seq = outbox.append({ device: 'plant/d1', kind, topic: `fl/v1/plant/d1/${kind}`, payload, qos: 1, ...(kind === 'event' ? { eventId: `e${i}` } : {}) });
  if (seq === null) throw new Error('outbox refused a message');
  if (end === 'close' && kind !== 'event') outbox.ack([seq]);
}
if (end === 'kill') process.kill(process.pid, 'SIGKILL');
outbox.close();
