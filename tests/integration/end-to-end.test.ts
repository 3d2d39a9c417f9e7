/**
 * The foundation, end to end over real sockets on 127.0.0.1: a simulated drive speaking Modbus
 * TCP → a real agent → the collector's embedded MQTT broker → SQLite → the HTTP API.
 */
import { join } from 'node:path';
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { DB_FILE } from '../../collector/store/sqlite/sqlite-store.js';
import { decodeRpcResponse, encodeFaultEvent, encodeRpcRequest } from '../../protocol/codec.js';
import type { RpcResponse } from '../../protocol/values.js';
import { checkDelivery, readDelivered } from '../helpers/delivery-harness.js';
import { startCollectorWithDrive, watchTopics } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

interface Ticket { id: number; number: string; status: string; priority: string; code: string; device: string; occurrences: number; faultActive: boolean; clearedAtMs: number | null }
interface TicketDetail extends Ticket { events: Array<{ id: string; transition: string; snapshot: unknown[] }>; telemetry: Array<{ parameter: string; value: number; timeMs: number }> }

t.test('a fault in a Modbus register becomes a ticket with telemetry, and its clear is recorded', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  const { headers } = await apiCallerIn(dir.path, 'viewer');
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-7', site: 'plant-a', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 }, timeoutMs: 500 },
    }],
    telemetry: { intervalMs: 200 }, detection: { preFaultWindowS: 10 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${collector.httpUrl}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  const device = await waitFor('the device to come online', async () => {
    const { devices } = await api<{ devices: Array<{ device: string; online: boolean; adapterId: string; parameters: unknown[] }> }>('/api/devices');
    return devices.find((d) => d.device === 'drive-7' && d.online);
  });
  t.equal(device.adapterId, 'generic-vfd', 'birth carried the adapter');
  t.ok(device.parameters.length >= 10, 'birth carried the parameter catalogue');

  // Let a second of samples build up, then trip the drive.
  await new Promise((r) => setTimeout(r, 1000));
  sim.model.injectFault(1);
  const opened = await waitFor('a ticket for the overcurrent trip', async () => {
    const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-7');
    return tickets.find((x) => x.code === 'vfd.overcurrent');
  });
  t.match(opened.number, /^TS-\d{8}-\d{4,}$/, 'ticket number format');
  t.equal(opened.status, 'new');
  t.equal(opened.priority, 'P1', 'critical severity is P1');
  t.equal(opened.faultActive, true);

  const detail = await api<TicketDetail>(`/api/tickets/${opened.id}`);
  const current = detail.telemetry.filter((s) => s.parameter === 'motor_current');
  t.ok(current.length >= 5, `telemetry attached to the ticket (${current.length} motor_current samples)`);
  t.ok(current.some((s) => s.value > 10 && s.value < 15), 'the pre-fault window shows the normal running current');
  t.equal(detail.events.length, 1);
  t.ok(detail.events[0]!.snapshot.length > 0, 'the event carries its snapshot');
  t.same(await api(`/api/tickets/${opened.number}`).then((x) => (x as Ticket).id), opened.id, 'a ticket is found by its number too');

  sim.model.clearFault();
  const cleared = await waitFor('the clear to be recorded on the ticket', async () => {
    const x = await api<Ticket>(`/api/tickets/${opened.id}`);
    return x.faultActive === false ? x : undefined;
  });
  t.ok(cleared.clearedAtMs && cleared.clearedAtMs > 0, 'cleared time recorded');
  t.equal(cleared.status, 'new', 'a clear does not close the ticket');

  // The same fault again while the ticket is open: an occurrence, not a new ticket.
  sim.model.injectFault(1);
  const again = await waitFor('the second occurrence', async () => {
    const x = await api<Ticket>(`/api/tickets/${opened.id}`);
    return x.occurrences === 2 && x.faultActive ? x : undefined;
  });
  t.equal(again.occurrences, 2);
  const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-7');
  t.equal(tickets.filter((x) => x.code === 'vfd.overcurrent').length, 1, 'still one ticket for device + code');
  sim.model.clearFault();

  t.test('bad input on the wire is counted and does not stop the pipeline', async (t) => {
    const client = await watchTopics(t, collector.mqttUrl, 'fl-test-bad-input');
    const before = await api<{ ingest: Record<string, number> }>('/api/health');
    await client.publishAsync('fl/v1/plant-a/drive-7/event', Buffer.from([0xff, 0x00, 0x13, 0x37]), { qos: 1 });
    const wrong = encodeFaultEvent({ ...agent.recentEvents()[0]!, id: '0190aaaa-0000-7000-8000-00000000beef', device: 'drive-8' });
    await client.publishAsync('fl/v1/plant-a/drive-7/event', Buffer.from(wrong), { qos: 1 });
    await client.publishAsync('fl/v1/plant-a/drive-7/bogus', Buffer.from('x'), { qos: 1 });
    const after = await api<{ ingest: Record<string, number> }>('/api/health');
    t.ok((after.ingest.badPayload ?? 0) > (before.ingest.badPayload ?? 0), 'malformed protobuf counted');
    t.ok((after.ingest.wrongTopic ?? 0) >= (before.ingest.wrongTopic ?? 0) + 2, 'device mismatch and unknown topic kind counted');
    t.ok(client.connected, 'the bad publisher is still connected');
    // The real agent keeps delivering.
    // (The overcurrent clear above may still be in flight, so wait for the ticket itself rather
    // than for "one more event acknowledged".)
    sim.model.injectFault(4);
    const later = await waitFor('a later fault to open its ticket', async () => {
      const { tickets } = await api<{ tickets: Ticket[] }>('/api/tickets?device=drive-7');
      return tickets.find((x) => x.code === 'vfd.overtemperature');
    });
    t.equal(later.faultActive, true, 'a later fault still opens its ticket, fault active');
    sim.model.clearFault();
  });

  t.test('live parameter read over MQTT RPC is a fresh Modbus read', async (t) => {
    const client = await watchTopics(t, collector.mqttUrl, 'fl-test-rpc', 'fl/v1/plant-a/drive-7/rpc/res');
    const responses = new Map<string, RpcResponse>();
    client.on('message', (_topic, payload) => { const r = decodeRpcResponse(payload); responses.set(r.id, r); });
    sim.model.force('dc_bus_voltage', 612.3);
    const ask = (id: string, names: string[]) => client.publishAsync('fl/v1/plant-a/drive-7/rpc/req', Buffer.from(encodeRpcRequest({ id, deadlineMs: Date.now() + 3000, op: { kind: 'read', names } })), { qos: 1 });
    await ask('read-1', ['dc_bus_voltage']);
    const ok = await waitFor('the rpc answer', () => responses.get('read-1'));
    t.equal(ok.ok, true);
    t.equal(ok.values[0]?.parameter, 'dc_bus_voltage');
    t.ok(Math.abs((ok.values[0]?.value ?? 0) - 612.3) < 0.11, `the forced value is read live (${ok.values[0]?.value})`);
    await ask('read-2', ['no_such_thing']);
    const bad = await waitFor('the rpc error', () => responses.get('read-2'));
    t.equal(bad.ok, false);
    t.equal(bad.error?.code, 'FL_ERR_RPC_UNKNOWN_PARAMETER');
    sim.model.release('dc_bus_voltage');
  });
  // #15, tests that guard: count every fault event the agent raised against every event stored.
  t.test('every fault event the agent raised is stored exactly once', async (t) => {
    const raised = agent.recentEvents('drive-7');
    t.ok(raised.length >= 6, `the agent raised ${raised.length} events (raises and clears) in this test`);
    const stored = await waitFor('every raised event to be stored', () => {
      const s = readDelivered(join(dir.path, DB_FILE), 'plant-a', 'drive-7').events;
      return s.length >= raised.length ? s : undefined;
    });
    t.same(checkDelivery(raised, stored), { delivered: raised.length, missing: 0, unknown: 0, duplicates: 0, inOrder: true },
      `all ${raised.length} raised, ${stored.length} stored: each once, in order`);
  });
});
