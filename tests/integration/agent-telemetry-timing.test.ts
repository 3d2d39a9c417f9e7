/**
 * Telemetry is stored by the poll that reads it (agent/device-channel.ts flushTelemetryIfDue):
 * with every poll group at 1 s and the default 1 s telemetry interval every stored batch is
 * written within milliseconds of the poll that read its newest samples, not up to an interval later by a
 * timer of its own (the agent wakes once a second instead of twice, and a SIGKILL loses only what
 * was read since the last poll). A real agent process (the CLI), a simulated Modbus device, no
 * broker (everything stays in the outbox, read after the agent stopped).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { decodeTelemetry } from '../../protocol/codec.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

t.test('with a 1 s poll, each telemetry batch is stored with its poll', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const noBroker = await freeLoopbackPort();
  const config = join(dir.path, 'agent.yaml');
  writeFileSync(config, [
    `mqtt: { url: "mqtt://127.0.0.1:${noBroker}" }`,
    `stateDir: ${JSON.stringify(join(dir.path, 'state'))}`,
    'devices:',
    '  - { id: drive-1, site: plant, model: VFD-4000, firmware: "2.3.1",',
    `      modbus: { host: 127.0.0.1, port: ${sim.port}, intervals: { fast: 1000, normal: 1000, slow: 1000 } } }`,
  ].join('\n'));
  const child = spawn(process.execPath, [cli, 'agent', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited; });
  await waitFor('the agent polling (the simulator asked)', () => (sim.requests >= 1 ? true : undefined), 15_000);
  await new Promise((r) => setTimeout(r, 6500)); // six or seven polls
  child.kill('SIGTERM');
  await exited;

  const db = new Database(join(dir.path, 'state', 'outbox.db'), { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare("SELECT payload, created_ms FROM outbox WHERE kind = 'telemetry' ORDER BY seq").all() as Array<{ payload: Buffer; created_ms: number }>;
  const batches = rows.map((r) => ({ stored: r.created_ms, times: [...new Set(decodeTelemetry(r.payload).samples.map((s) => s.timeMs))] }));
  t.ok(batches.length >= 5, `${batches.length} telemetry batches stored`);
  // A poll whose reply comes more than half an interval late (a loaded machine) leaves its batch to the timer: most, not all.
  const lags = batches.map((b) => b.stored - Math.max(...b.times));
  const prompt = lags.filter((lag) => lag >= 0 && lag < 200);
  t.ok(prompt.length >= Math.ceil((2 * batches.length) / 3), `stored this many ms after the poll that read their newest samples: ${lags.join(', ')} (a timer of its own: 0-1000)`);
  t.notMatch(stderr, /FL_ERR_INTERNAL/, 'no internal error');
});
