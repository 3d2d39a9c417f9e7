/**
 * Run by tests/integration/cluster/server-cleanup.test.ts as a separate process: starts a test
 * PostgreSQL and a test Mosquitto, prints their pids and dirs as one JSON line, then dies the way
 * argv[2] says ("throw": an uncaught error; "hang": wait to be killed) without stopping them.
 */
import { startMosquitto } from './mosquitto-server.js';
import { startPostgres } from './postgres-server.js';

const how = process.argv[2];
const [pg, mq] = await Promise.all([startPostgres(), startMosquitto()]);
process.stdout.write(`${JSON.stringify({ pgPid: pg.pid, pgDir: pg.dir, mqPid: mq.pid, mqDir: mq.dir })}\n`);
if (how === 'throw') {
  setTimeout(() => { throw new Error('a test that fails without its teardown'); }, 50);
} else {
  setInterval(() => undefined, 1000);
}
