/**
 * Telemetry is stored by the poll that reads it (agent/device-channel.ts flushTelemetryIfDue):
 * with every poll group at 1 s and the default 1 s telemetry interval every stored batch is
 * written within milliseconds of the poll that read its newest samples, not up to an interval later by a
 * timer of its own (the agent wakes once a second instead of twice, and a SIGKILL loses only what
 * was read since the last poll). A real agent process (the CLI), a simulated Modbus device, no
 * broker (everything stays in the outbox, read after the agent stopped).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { decodeTelemetry } from '../../protocol/codec.js';
import { startOfflineAgent } from '../helpers/offline-agent.js';
import { waitFor } from '../helpers/wait.js';

t.test('with a 1 s poll, each telemetry batch is stored with its poll', async (t) => {
  const agent = await startOfflineAgent(t, '{ fast: 1000, normal: 1000, slow: 1000 }');
  await waitFor('the agent polling (the simulator asked)', () => (agent.requests() >= 1 ? true : undefined), 15_000);
  await new Promise((r) => setTimeout(r, 6500)); // six or seven polls
  agent.child.kill('SIGTERM');
  await agent.exited;

  const db = new Database(join(agent.stateDir, 'outbox.db'), { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare("SELECT payload, created_ms FROM outbox WHERE kind = 'telemetry' ORDER BY seq").all() as Array<{ payload: Buffer; created_ms: number }>;
  const batches = rows.map((r) => ({ stored: r.created_ms, times: [...new Set(decodeTelemetry(r.payload).samples.map((s) => s.timeMs))] }));
  t.ok(batches.length >= 5, `${batches.length} telemetry batches stored`);
  // A poll whose reply comes more than half an interval late (a loaded machine) leaves its batch to the timer: most, not all.
  const lags = batches.map((b) => b.stored - Math.max(...b.times));
  const prompt = lags.filter((lag) => lag >= 0 && lag < 200);
  t.ok(prompt.length >= Math.ceil((2 * batches.length) / 3), `stored this many ms after the poll that read their newest samples: ${lags.join(', ')} (a timer of its own: 0-1000)`);
  t.notMatch(agent.stderr(), /FL_ERR_INTERNAL/, 'no internal error');
});
