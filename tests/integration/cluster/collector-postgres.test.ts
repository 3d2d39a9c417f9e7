/**
 * The collector on PostgreSQL, as users run it: `faultline device add` with FAULTLINE_DATABASE
 * provisions a device in the shared database; a collector started with `database` takes that
 * device's fault event over MQTT, commits it with its ticket, and answers it on the API; `faultline
 * audit verify` checks the shared audit chain. A real PostgreSQL (tests/helpers/postgres-server.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import t from 'tap';
import { encodeFaultEvent } from '../../../protocol/codec.js';
import { silentLogger } from '../../../protocol/logger.js';
import { startCollector } from '../../../collector/collector.js';
import { openStore } from '../../../collector/store/index.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { faultEvent } from '../../helpers/delivery-harness.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

t.test('a collector on PostgreSQL: device provisioned by the CLI, an event committed with its ticket, the audit chain verified', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  const database = await server.createDatabase('collector');
  const dir = tempDir('faultline-collector-pg-');
  t.teardown(dir.remove);
  const env = { ...process.env, FAULTLINE_DATABASE: database };

  const added = await run(process.execPath, [CLI, 'device', 'add', '--site', 'plant-a', '--device', 'drive-1', '--data-dir', dir.path], { env });
  const password = /password: "?([^"\n]+)"?/.exec(added.stdout)?.[1];
  t.ok(password, 'the device CLI issued a credential in the shared database');

  const collector = await startCollector({
    dataDir: dir.path, database, log: silentLogger(), mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0,
  });
  t.teardown(() => collector.stop());
  const store = await openStore({ dataDir: dir.path, database, log: silentLogger(), nowMs: Date.now() });
  t.teardown(() => store.close());
  const caller = await apiCaller(store, 'viewer');

  const client = await mqtt.connectAsync(collector.mqttUrl, { clientId: 'fl-plant-a-drive-1', username: 'plant-a/drive-1', password: password ?? '' });
  t.teardown(() => client.endAsync());
  const event = faultEvent('plant-a', 'drive-1', 1);
  await client.publishAsync('fl/v1/plant-a/drive-1/event', Buffer.from(encodeFaultEvent(event)), { qos: 1 });

  const tickets = await waitFor('the ticket on the API', async () => {
    const res = await fetch(`${collector.httpUrl}/api/tickets`, { headers: caller.headers });
    const body = await res.json() as { tickets: Array<{ number: string; device: string }> };
    return body.tickets.length > 0 ? body.tickets : undefined;
  });
  t.match(tickets, [{ device: 'drive-1', number: /^TS-\d{8}-0001$/ }], 'the event opened a ticket, numbered in the shared database');
  t.equal((await store.queries.counts()).events, 1, 'the event is stored once, in PostgreSQL');

  const verify = await run(process.execPath, [CLI, 'audit', 'verify', '--data-dir', dir.path], { env });
  t.match(verify.stdout, /audit log intact: \d+ row/, 'audit verify reads the shared chain');
});
