/**
 * #15 item 2, continued: audit checkpoints sent out. A collector sends each signed checkpoint of
 * the audit trail's head to a syslog server (RFC 5424 over TCP here; UDP below) and to the webhooks
 * that name `audit.checkpoint` ("*" does not get them), a few hundred milliseconds after the trail
 * moved. Someone who cuts the newest rows and the local checkpoint file passes `audit verify` on
 * what is left on the host; the copies the syslog server and the webhook receiver kept make it fail.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { auditCommand } from '../../collector/audit/cli.js';
import { CHECKPOINT_FILE } from '../../collector/audit/checkpoint-file.js';
import { AuditCheckpointer } from '../../collector/audit/checkpointer.js';
import { checkpointSyslogMessage } from '../../collector/audit/syslog-format.js';
import { SyslogSender } from '../../collector/audit/syslog-sender.js';
import { startCollector } from '../../collector/collector.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { errorCode } from '../../protocol/errors.js';
import pino from 'pino';
import { loggerOptions, silentLogger } from '../../protocol/logger.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SYSLOG_LINE = /^<109>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ faultline \d+ audit-checkpoint - (\{.*\})$/;

/** A syslog receiver over TCP with octet-counted frames (RFC 6587): the messages in arrival order. */
async function tcpSyslog(t: Test, port = 0): Promise<{ port: number; messages: string[] }> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return { port: (server.address() as AddressInfo).port, messages };
}

async function verify(dataDir: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(['verify', '--data-dir', dataDir, ...extra], { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

const seqOf = (json: string): number => (JSON.parse(json) as { seq: number }).seq;

t.test('checkpoints go to syslog and the webhook; the copies catch a cut the host alone does not', async (t) => {
  const dir = tempDir('faultline-cp-sinks-');
  t.teardown(dir.remove);
  const syslog = await tcpSyslog(t);
  const bodies: Array<{ path: string; body: string }> = [];
  const hooks = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => { bodies.push({ path: req.url ?? '', body }); res.end(); });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { hooks.closeAllConnections(); hooks.close(() => resolve()); }));
  const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  const configFile = join(dir.path, 'desk.yaml');
  writeFileSync(configFile, `webhooks:
  - { id: audit-copy, url: "${base}/audit", secret: "0123456789abcdef", events: [audit.checkpoint] }
  - { id: chat, url: "${base}/chat", secret: "0123456789abcdef", events: "*" }
`);
  const collector = await startCollector({
    dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger(), configFile,
    auditCheckpoint: { everyMs: 200, syslog: { transport: 'tcp', host: '127.0.0.1', port: syslog.port } },
  });
  let running = true;
  t.teardown(async () => { if (running) await collector.stop(); });

  const ann = { kind: 'user' as const, id: 'ann' };
  const ticket = await collector.desk.openManualTicket({ origin: 'phone', reporter: 'ann', title: 'Press 4 leaks', description: '', site: 'plant-a', device: '', category: 'hardware', severity: 'major' }, ann);
  await collector.desk.ticketAction({ id: ticket.id }, { type: 'ack', note: 'on my way' }, ann);
  await collector.desk.ticketAction({ id: ticket.id }, { type: 'comment', text: 'gasket replaced', visibility: 'internal' }, ann);
  const head = await waitFor('a checkpoint of the head at syslog', async () => {
    const r = await verify(dir.path);
    const m = /\(row (\d+)\)/.exec(r.out);
    const rows = m ? Number(m[1]) : 0;
    return rows > 0 && syslog.messages.some((msg) => seqOf(SYSLOG_LINE.exec(msg)?.[1] ?? '{"seq":0}') === rows) ? rows : undefined;
  }, 20_000, 100);
  await waitFor('the checkpoint at the webhook', () => bodies.find((b) => b.path === '/audit' && (JSON.parse(b.body) as { details: { seq: number } }).details.seq === head), 20_000);

  // What a scraper and an admin see of it.
  const scraper = await apiCallerIn(dir.path, 'viewer', 'scraper');
  const metrics = await (await fetch(`${collector.httpUrl}/metrics`, { headers: scraper.headers })).text();
  const sample = (series: string): number => Number(metrics.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? Number.NaN);
  t.ok(sample('faultline_audit_checkpoints_total{result="written"}') >= 1, 'checkpoints written, on /metrics');
  t.equal(sample('faultline_audit_checkpoints_total{result="failed"}'), 0);
  for (const sink of ['syslog', 'webhooks']) {
    t.ok(sample(`faultline_audit_checkpoint_sends_total{sink="${sink}",result="sent"}`) >= 1, `sent to ${sink}`);
    t.equal(sample(`faultline_audit_checkpoint_sends_total{sink="${sink}",result="failed"}`), 0);
  }
  const health = await (await fetch(`${collector.httpUrl}/api/health`, { headers: scraper.headers })).json() as { auditCheckpoints?: { written: number; sinks: Record<string, { sent: number; failed: number }> } };
  t.ok((health.auditCheckpoints?.written ?? 0) >= 1, 'and in health\'s details');
  t.same(Object.keys(health.auditCheckpoints?.sinks ?? {}).sort(), ['syslog', 'webhooks']);
  running = false;
  await collector.stop();

  // One assertion for all of them: how many checkpoints there were depends on the timing of the 200 ms ticks.
  t.same(syslog.messages.filter((msg) => !SYSLOG_LINE.test(msg)), [], 'RFC 5424: <PRI>1 TIMESTAMP HOST faultline PROCID audit-checkpoint - {checkpoint}');
  t.notOk(bodies.some((b) => b.path === '/chat' && b.body.includes('audit.checkpoint')), 'a "*" webhook gets no checkpoints');
  const copies = bodies.filter((b) => b.path === '/audit');
  t.match(JSON.parse(copies[0]?.body ?? '{}'), { event: 'audit.checkpoint', details: { seq: Number, hash: /^[0-9a-f]{64}$/, atMs: Number, mac: /^[0-9a-f]{64}$/ } });

  // Someone on the host cuts the newest rows and the local checkpoint file with them.
  const db = new Database(join(dir.path, DB_FILE));
  db.exec(`DELETE FROM audit_log WHERE seq > ${head - 2}`);
  db.close();
  writeFileSync(join(dir.path, CHECKPOINT_FILE), '');
  const local = await verify(dir.path);
  t.equal(local.code, 0, 'what is left on the host does not show the cut');

  const syslogFile = join(dir.path, 'received-syslog.log');
  writeFileSync(syslogFile, `${syslog.messages.join('\n')}\n`);
  const bySyslog = await verify(dir.path, '--checkpoints', syslogFile);
  t.equal(bySyslog.code, 1, 'the syslog server\'s copies show it');
  t.match(bySyslog.err, new RegExp(`rows ${head - 1}-${head} are missing`));

  const webhookFile = join(dir.path, 'received-webhooks.jsonl');
  writeFileSync(webhookFile, `${copies.map((b) => b.body).join('\n')}\n`);
  const byWebhook = await verify(dir.path, '--checkpoints', webhookFile);
  t.equal(byWebhook.code, 1, 'so do the webhook receiver\'s');
  t.match(byWebhook.err, new RegExp(`rows ${head - 1}-${head} are missing`));
});

t.test('over UDP: one datagram per checkpoint, as RFC 5424', async (t) => {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => socket.close());
  const sender = new SyslogSender({ transport: 'udp', host: '127.0.0.1', port: socket.address().port });
  t.teardown(() => sender.stop());
  const cp = { seq: 42, hash: 'a'.repeat(64), atMs: Date.parse('2026-12-07T03:30:00Z'), mac: 'b'.repeat(64) };
  await sender.send(checkpointSyslogMessage(cp, { hostname: 'collector 1', procId: 4711, atMs: cp.atMs }));
  await waitFor('the datagram', () => got[0]);
  t.equal(got[0], `<109>1 2026-12-07T03:30:00.000Z collector1 faultline 4711 audit-checkpoint - ${JSON.stringify(cp)}`);
});

t.test('a syslog server that is down: the failure is counted, and the newest checkpoint is sent once it is back', async (t) => {
  const dir = tempDir('faultline-cp-retry-');
  t.teardown(dir.remove);
  const port = await freeLoopbackPort();
  const sender = new SyslogSender({ transport: 'tcp', host: '127.0.0.1', port });
  t.teardown(() => sender.stop());
  let head = { seq: 7, hash: 'c'.repeat(64) };
  const lines: string[] = [];
  const cp = new AuditCheckpointer({
    audit: { head: async () => head }, dataDir: dir.path, now: () => Date.parse('2026-12-07T03:30:00Z'),
    log: pino(loggerOptions('checkpoint-retry-test', 'info'), { write: (s: string) => { lines.push(s); } }),
    sinks: [{ name: 'syslog', send: (c) => sender.send(checkpointSyslogMessage(c, { hostname: 'h', procId: 1, atMs: c.atMs })) }],
  });
  const refused = await sender.send('probe').then(() => null, (err: unknown) => errorCode(err));
  t.equal(refused, 'FL_ERR_AUDIT_SYSLOG', 'nothing listens: a typed error');
  t.ok(await cp.checkpoint(), 'the checkpoint is written to the file all the same');
  t.match(cp.stats(), { written: 1, sinks: { syslog: { sent: 0, failed: 1 } } });
  await cp.checkpoint();
  t.match(cp.stats(), { written: 1, sinks: { syslog: { sent: 0, failed: 2 } } }, 'tried again at the next tick');
  t.equal(lines.filter((l) => l.includes('audit checkpoint not sent')).length, 1, 'the failing sink is logged once, not every tick');
  const server = await tcpSyslog(t, port);
  await cp.checkpoint();
  t.match(cp.stats(), { written: 1, sinks: { syslog: { sent: 1, failed: 2 } } }, 'the head did not move: the missed checkpoint is sent again');
  t.equal(lines.filter((l) => l.includes('audit checkpoints are sent again')).length, 1, 'and the recovery once');
  await waitFor('the checkpoint at the server', () => server.messages[0]);
  t.equal(seqOf(SYSLOG_LINE.exec(server.messages[0] ?? '')?.[1] ?? '{}'), 7);
  head = { seq: 8, hash: 'd'.repeat(64) };
  await cp.checkpoint();
  await waitFor('the next one', () => server.messages[1]);
  t.equal(seqOf(SYSLOG_LINE.exec(server.messages[1] ?? '')?.[1] ?? '{}'), 8);
});
