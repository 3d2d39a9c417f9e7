/**
 * A whole ticket life over real sockets on 127.0.0.1: a simulated drive (Modbus TCP) and a real
 * agent → fault → ticket routed to L1 → nobody acknowledges → escalation to L2 → the L2 engineer
 * acknowledges and resolves with a note → the fault clears on the device → the ticket closes once
 * the device has stayed healthy for the hold. Real clock, short targets from the test config.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { auditCommand } from '../../collector/audit/cli.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

interface Ticket {
  id: number; number: string; status: string; priority: string; code: string; team: string | null; tier: string; assignee: string | null;
  faultActive: boolean; closedAtMs: number | null; faultClearSinceMs: number | null; escalation: { count: number };
  resolution: { cause: string } | null;
}
interface AuditRecordJson { action: string; actor: { kind: string; id: string }; from: string | null; to: string | null; reason: string }

const SECRET = 'integration-secret-0123456789';

function deskConfig(hookUrl: string): string {
  return `
sla:
  targets:
    P1: { responseMinutes: 0.05, resolutionMinutes: 10 }   # 3 s to respond
teams:
  - id: drives
    members:
      - { id: lena, tier: L1, skills: [hardware] }
      - { id: omar, tier: L2, skills: [hardware] }
      - { id: ute, tier: L3, skills: [hardware] }
    rotations:
      - { id: l1, tier: L1, kind: weekly, handover: "06:00", startDate: "2024-01-01", participants: [lena] }
      - { id: l2, tier: L2, kind: weekly, handover: "06:00", startDate: "2024-01-01", participants: [omar] }
      - { id: l3, tier: L3, kind: weekly, handover: "06:00", startDate: "2024-01-01", participants: [ute] }
routing:
  defaultTeam: drives
  rules:
    - { id: drives, match: { models: ["VFD-*"], categories: [hardware] }, team: drives, tier: L1, skills: [hardware] }
lifecycle:
  verifyCloseHoldSeconds: 1
webhooks:
  - { id: ops, url: "${hookUrl}", secret: "${SECRET}", events: [ticket.opened, ticket.escalated, ticket.closed] }
`;
}

t.test('fault → ticket → escalation → fix → device-verified close', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const hooks: Array<{ event: string; valid: boolean }> = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers['x-faultline-signature'])) ?? [];
      const valid = v1 === createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
      hooks.push({ event: (JSON.parse(body) as { event: string }).event, valid });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const configFile = join(dir.path, 'desk.yaml');
  writeFileSync(configFile, deskConfig(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`));

  const collector = await startCollector({
    dataDir: dir.path, configFile, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger(),
  });
  t.teardown(() => collector.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const agent = await startAgent(checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: join(dir.path, 'agent'),
    devices: [{ id: 'drive-9', site: 'plant-b', model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 }, timeoutMs: 500 } }],
  }, 'test'), { log: silentLogger() });
  t.teardown(() => agent.stop());

  // The people who act: a token each (an engineer reads: the audit trail needs one).
  const people: Record<string, string> = {};
  for (const name of ['omar']) people[name] = (await apiCallerIn(dir.path, 'engineer', name)).headers.authorization;
  const reader = (await apiCallerIn(dir.path, 'engineer', 'reader')).headers;
  const call = async (path: string, init?: { method: string; user: string; body: unknown }): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${collector.httpUrl}${path}`, init ? {
      method: init.method, body: JSON.stringify(init.body), headers: { 'content-type': 'application/json', authorization: people[init.user] ?? '' },
    } : { headers: reader });
    return { status: res.status, json: await res.json() };
  };
  const api = async <T>(path: string, init?: { method: string; user: string; body: unknown }): Promise<T> => {
    const { status, json } = await call(path, init);
    if (status >= 300) throw new Error(`${path}: HTTP ${status} ${JSON.stringify(json)}`);
    return json as T;
  };
  const ticket = (): Promise<Ticket | undefined> => api<{ tickets: Ticket[] }>('/api/tickets?device=drive-9').then((r) => r.tickets.find((x) => x.code === 'vfd.overcurrent'));

  await waitFor('the drive to come online', async () => (await api<{ devices: Array<{ device: string; online: boolean }> }>('/api/devices')).devices.find((d) => d.device === 'drive-9' && d.online));
  sim.model.injectFault(1);

  const opened = await waitFor('a ticket for the overcurrent trip', ticket);
  t.match(opened, { priority: 'P1', status: 'new', team: 'drives', tier: 'L1', assignee: 'lena', faultActive: true }, 'routed to L1 by rule "drives"');
  const [alarm] = (await api<{ alarms: Array<{ code: string; state: string }> }>('/api/alarms?device=drive-9')).alarms;
  t.match(alarm, { code: 'vfd.overcurrent', state: 'active-unacknowledged' });

  const escalated = await waitFor('the escalation to L2 (nobody acknowledged within 3 s)', async () => {
    const x = await ticket();
    return x && x.tier !== 'L1' ? x : undefined;
  }, 20_000);
  t.match(escalated, { tier: 'L2', assignee: 'omar', status: 'new', escalation: { count: 1 } });

  const ref = `/api/tickets/${opened.number}`;
  const acked = await api<Ticket>(`${ref}/ack`, { method: 'POST', user: 'omar', body: { note: 'on my way' } });
  t.match(acked, { status: 'acknowledged', tier: 'L2' }, 'acknowledged at L2 (before its own response target ran out)');
  t.match(await call(`${ref}/resolve`, { method: 'POST', user: 'omar', body: {} }), { status: 400, json: { error: { code: 'FL_ERR_TICKET_RESOLUTION_REQUIRED' } } }, 'a resolution needs a note');
  const resolved = await api<Ticket>(`${ref}/resolve`, { method: 'POST', user: 'omar', body: { cause: 'motor cable chafed', action: 'replaced the cable', fix: 'permanent' } });
  t.match(resolved, { status: 'resolved', faultActive: true, resolution: { cause: 'motor cable chafed' } });
  t.match(await call(`${ref}/close`, { method: 'POST', user: 'omar', body: {} }), { status: 409, json: { error: { code: 'FL_ERR_TICKET_FAULT_ACTIVE' } } }, 'nothing closes while the device shows the fault');

  sim.model.clearFault();
  const closed = await waitFor('the device-verified close', async () => {
    const x = await ticket();
    return x?.status === 'closed' ? x : undefined;
  }, 20_000);
  t.equal(closed.faultActive, false);
  t.ok(closed.closedAtMs !== null && closed.faultClearSinceMs !== null && closed.closedAtMs - closed.faultClearSinceMs === 1000, 'closed exactly at the end of the 1 s hold');

  const { records } = await api<{ records: AuditRecordJson[] }>(`/api/audit?subject=${opened.number}`);
  const steps = records.map((r) => r.action);
  for (const step of ['open', 'route', 'assign', 'sla-warning', 'sla-breach', 'escalate', 'acknowledge', 'resolve', 'fault-clear', 'close']) t.ok(steps.includes(step), `audited: ${step}`);
  t.match(records.find((r) => r.action === 'escalate'), { actor: { kind: 'system' }, from: 'L1', to: 'L2', reason: /not acknowledged within/ });
  t.match(records.find((r) => r.action === 'acknowledge'), { actor: { kind: 'user', id: 'omar' } });
  t.match(records.find((r) => r.action === 'close'), { actor: { kind: 'device', id: 'plant-b/drive-9' }, reason: /device verified/ });

  await waitFor('the webhooks', () => (['ticket.opened', 'ticket.escalated', 'ticket.closed'].every((e) => hooks.some((h) => h.event === e)) ? true : undefined));
  t.ok(hooks.every((h) => h.valid), 'every webhook carries a valid signature');

  await collector.stop();
  let out = '';
  t.equal(await auditCommand(['verify', '--data-dir', dir.path], { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { out += s; } } }), 0, out);
});
