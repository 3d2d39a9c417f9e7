/**
 * Disk full, for real: the collector's data directory on a small tmpfs (mounted by the test; root
 * needed, as on CI) that a filler file then fills. The collector stops acknowledging MQTT messages
 * (the sender keeps them), stays up read-only (API reads answer), says so in /api/health and in
 * its log once (not per message), and resumes by itself when space returns, with every
 * acknowledged event stored and every sent one stored once (the scenario: helpers/disk-full-run.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import t from 'tap';
import { startCollector } from '../../collector/collector.js';
import { loggerOptions } from '../../protocol/logger.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { diskFullRun } from '../helpers/disk-full-run.js';
import { underCi } from '../helpers/required-tool.js';
import { mountSmallFs } from '../helpers/small-fs.js';

const small = mountSmallFs('6m');
t.teardown(small.remove);

if (small.path === undefined) {
  if (underCi()) t.fail(`${small.why}; under CI this fails instead of skipping`);
  else t.test('disk full', { skip: small.why }, async () => {});
} else {
  const mnt = small.path;
  t.test('a full disk: no acknowledgement, read-only API, one log line, resumes by itself with nothing lost', async (t) => {
    const dataDir = join(mnt, 'data');
    const caller = await apiCallerIn(dataDir, 'admin');
    const lines: string[] = [];
    const log = pino(loggerOptions('disk-full-test', 'info'), { write: (s: string) => { lines.push(s); } });
    const collector = await startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log, mqttAuth: 'off' });
    t.teardown(() => collector.stop());
    await diskFullRun(t, {
      collector, headers: caller.headers, lines, filler: join(mnt, 'filler'), burst: 200,
      stop: () => collector.stop(),
      storedIds: async () => {
        const db = new Database(join(dataDir, 'faultline.db'), { readonly: true });
        try {
          return new Set((db.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((r) => r.id));
        } finally {
          db.close();
        }
      },
    });
  });
}
