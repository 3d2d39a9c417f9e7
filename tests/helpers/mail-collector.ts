/**
 * A collector that pages by e-mail, for paging tests: a desk on a real SQLite store in `dataDir`
 * (config `desk.yaml` there), an SMTP pager to a loopback port, and the real HTTP API on a random
 * port (links in mails point at it). Time comes from `clock`. stop() closes it; calling this again
 * on the same dir is a restart.
 */
import { join } from 'node:path';
import type { Test } from 'tap';
import { buildApi } from '../../collector/api/app.js';
import { DeskConfigHolder } from '../../collector/desk-config/config-holder.js';
import { DeskService } from '../../collector/desk/desk-service.js';
import { MailPager, type SmtpSettings } from '../../collector/desk/mail-pager.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { silentLogger } from '../../protocol/logger.js';
import { TEST_USERS } from './api-auth.js';
import { T0 } from './desk-harness.js';

export interface MailCollector {
  store: SqliteStore;
  desk: DeskService;
  /** The API's address, e.g. http://127.0.0.1:PORT */
  base: string;
  stop(): Promise<void>;
}

export async function mailCollector(t: Test, dataDir: string, clock: { now: number }, smtpPort: number): Promise<MailCollector> {
  const now = (): number => clock.now;
  const log = silentLogger();
  const store = openSqliteStore({ dataDir, log, nowMs: now(), users: TEST_USERS });
  const smtp: SmtpSettings = {
    host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'faultline@plant.example', publicUrl: 'http://unset', linkSecret: 's'.repeat(32), timeoutMs: 3000,
  };
  const mail = new MailPager(smtp, log);
  const desk = new DeskService({ store, config: new DeskConfigHolder({ file: join(dataDir, 'desk.yaml'), log, now }), log, now, autoTimers: false, random: () => 1, mail });
  await desk.start();
  const counters = new IngestCounters();
  const app = await buildApi({
    store, desk, log, now, pageAck: { linkSecret: smtp.linkSecret },
    health: { startedAtMs: T0, broker: () => ({ port: 1883, clients: 0 }), ingest: () => counters.snapshot() },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  smtp.publicUrl = base;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await desk.stop();
    mail.close();
    await store.close();
  };
  t.teardown(stop);
  return { store, desk, base, stop };
}
