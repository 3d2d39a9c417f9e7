/**
 * E-mail digests in cluster mode (issue #16): two collectors (store + desk + SMTP pager) on one real
 * PostgreSQL, a real SMTP server on loopback, time injected. Pages held for one member's digest are
 * queued through both collectors into one outbox entry; at the digest time both collectors try to
 * send at once, and the digest goes out once, as one mail with every page.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import { DeskConfigHolder } from '../../../collector/desk-config/config-holder.js';
import { DeskService } from '../../../collector/desk/desk-service.js';
import { MailPager } from '../../../collector/desk/mail-pager.js';
import type { StorePort } from '../../../collector/store/port.js';
import { openPostgresStore } from '../../../collector/store/postgres/postgres-store.js';
import { TEST_USERS } from '../../helpers/api-auth.js';
import { birth, DESK_YAML, fault, H, T0 } from '../../helpers/desk-harness.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { smtpSink } from '../../helpers/smtp-sink.js';
import { tempDir } from '../../helpers/temp-dir.js';

t.setTimeout(120_000);

let server: PostgresServer | undefined;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

const YAML = DESK_YAML.replace(/webhooks:[\s\S]*$/, '')
  .replace('- { id: lars, tier: L1, skills: [software] }',
    '- { id: lars, tier: L1, skills: [software], email: lars@plant.example, paging: { mode: digest, digestAt: "08:00" } }');
const DIGEST = Date.parse('2024-03-06T08:00:00Z');

async function collector(t: Test, url: string, configFile: string, clock: { now: number }, smtpPort: number): Promise<{ store: StorePort; desk: DeskService }> {
  const dir = tempDir('faultline-pg-digest-');
  const log = silentLogger();
  const now = (): number => clock.now;
  const store = await openPostgresStore({ url, dataDir: dir.path, log, nowMs: now(), users: TEST_USERS, poolMax: 4 });
  const mail = new MailPager({ host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'faultline@plant.example', publicUrl: 'http://collector.example', linkSecret: 's'.repeat(32) }, log);
  const desk = new DeskService({ store, config: new DeskConfigHolder({ file: configFile, log, now }), log, now, autoTimers: false, random: () => 1, mail });
  await desk.start();
  t.teardown(async () => { await desk.stop(); mail.close(); await store.close(); dir.remove(); });
  return { store, desk };
}

t.test('two collectors queue into one digest and race to send it: one mail with every page', async (t) => {
  if (!server) throw new Error('no PostgreSQL server');
  const url = await server.createDatabase('paging_digest');
  const home = tempDir('faultline-pg-digest-config-');
  t.teardown(() => home.remove());
  const configFile = join(home.path, 'desk.yaml');
  writeFileSync(configFile, YAML);
  const sink = await smtpSink(t);
  const clock = { now: T0 };
  const a = await collector(t, url, configFile, clock, sink.port);
  const b = await collector(t, url, configFile, clock, sink.port);

  await a.store.ingest.commit([birth()], T0);
  const codes = ['vfd.overcurrent', 'vfd.overvoltage', 'vfd.ground_fault', 'vfd.phase_loss'];
  for (const [i, code] of codes.entries()) {
    clock.now = T0 + i * H;
    // Alternate collectors: each appends to the entry the other one queued.
    await (i % 2 === 0 ? a : b).store.ingest.commit([fault('raise', clock.now, { code, message: `Trip ${code}` })], clock.now);
  }
  // Two pages of one digest in one unit (one statement may not upsert a row twice): two tickets opened by one commit on b.
  clock.now = T0 + 5 * H;
  await b.store.ingest.commit([
    fault('raise', clock.now, { code: 'vfd.overheat', message: 'Trip vfd.overheat' }),
    fault('raise', clock.now, { code: 'vfd.dc_bus', message: 'Trip vfd.dc_bus', device: 'drive-1' }),
  ], clock.now);
  const tickets = await a.store.queries.listTickets({ limit: 20 });
  t.equal(tickets.length, 6, 'six P1 tickets, six pages for lars');
  t.equal(await a.store.webhooks.count({ webhookId: 'mail:lars' }), 1, 'one outbox entry holds them');

  clock.now = DIGEST;
  const sent = await Promise.all([a.desk.webhooks.runDue(DIGEST), b.desk.webhooks.runDue(DIGEST)]);
  t.equal(sent[0] + sent[1], 1, `claimed by one collector only (${sent.join(' + ')})`);
  t.equal(await a.desk.webhooks.runDue(DIGEST + 1000) + await b.desk.webhooks.runDue(DIGEST + 1000), 0, 'nothing left to send');
  t.equal(sink.mails.length, 1, 'one mail');
  t.match(sink.mails[0]?.subject, /digest: 6 pages on 6 tickets/);
  const text = sink.mails[0]?.text ?? '';
  for (const tk of tickets) t.match(text, `P1 ${tk.number}: ${tk.title}`, `lists ${tk.number}`);
  t.equal([...text.matchAll(/\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g)].length, 6, 'a link per page');
});
