/**
 * The agent's Modbus side over real sockets: several slaves behind one RTU-over-TCP gateway,
 * one of which goes silent or garbles its CRC; and signed parameter writes (FC 5/6/15/16)
 * against a Modbus TCP simulator.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { signWrite } from '../../agent/rpc-auth.js';
import { silentLogger } from '../../protocol/logger.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { defineAdapter, holding, type Adapter } from '../../firmware-adapters/schema.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { startRtuGateway } from '../../firmware-adapters/simulator/rtu-gateway.js';
import { decodeRpcResponse, encodeRpcRequest } from '../../protocol/codec.js';
import type { RpcOp, RpcResponse } from '../../protocol/values.js';
import { startLoopbackCollector, watchTopics, type Teardown } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

async function collectorFor(t: Teardown) {
  const { dir, collector } = await startLoopbackCollector(t);
  const { headers } = await apiCallerIn(dir.path, 'viewer');
  return { collector, stateDir: `${dir.path}/agent`, headers };
}

t.test('slaves behind one gateway are polled independently; a silent one raises and clears its own link fault', async (t) => {
  const { collector, stateDir, headers } = await collectorFor(t);
  const gw = await startRtuGateway([1, 2, 3].map((unitId) => ({ unitId, adapter: vfd })));
  t.teardown(() => gw.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir,
    devices: [1, 2, 3].map((u) => ({
      id: `drive-${u}`, site: 'line-1', model: 'VFD-4000', firmware: '2.3.1',
      // drive-2 goes silent: its timeouts are short; the healthy ones get room for a stall of this loaded test process (the gateway runs in it).
      modbus: { transport: 'rtu-over-tcp', host: gw.host, port: gw.port, unitId: u, timeoutMs: u === 2 ? 150 : 1000, retries: 1, intervals: { normal: 100 }, failuresBeforeCommLoss: 2, backoffMaxMs: 400 },
    })),
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('all three slaves answering', () => ([1, 2, 3].every((u) => agent.stats(`drive-${u}`).polls >= 3) ? true : undefined));

  gw.behave(2, 'silent');
  const lost = await waitFor('comm loss on drive-2', () => agent.recentEvents('drive-2').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'raise'));
  t.equal(lost.category, 'link');
  // While drive-2 is silent the others keep their pace and still see their own faults.
  const before1 = gw.requestsTo(1);
  const before3 = gw.requestsTo(3);
  gw.slave(3).injectFault(1);
  await waitFor('drive-3 overcurrent while drive-2 is silent', () => agent.recentEvents('drive-3').find((e) => e.code === 'vfd.overcurrent'));
  // Not a timing assertion: only that the healthy slaves keep being served while drive-2 is silent.
  await waitFor('drive-1 and drive-3 polled again', () => (gw.requestsTo(1) - before1 >= 3 && gw.requestsTo(3) - before3 >= 3 ? true : undefined));
  t.pass(`drive-1 and drive-3 kept being polled (${gw.requestsTo(1) - before1} and ${gw.requestsTo(3) - before3} requests)`);
  t.notOk(agent.recentEvents('drive-1').some((e) => e.code === 'agent.modbus_comm_loss'), 'no link fault on a healthy slave');
  t.ok(agent.stats('drive-2').modbus!.timeouts > 0, 'timeouts are counted');
  t.ok(agent.stats('drive-2').pollsSkipped > 0, 'the silent slave is backed off');

  gw.behave(2, 'normal');
  await waitFor('comm loss cleared on drive-2', () => agent.recentEvents('drive-2').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'clear'), 10_000);

  gw.behave(1, 'bad-crc');
  await waitFor('CRC errors counted on drive-1', () => (agent.stats('drive-1').modbus!.crcErrors > 0 ? true : undefined));
  gw.behave(1, 'normal');
  const ticket = await waitFor('the link fault ticket for drive-2', async () => {
    const res = await fetch(`${collector.httpUrl}/api/tickets?device=drive-2`, { headers });
    const { tickets } = await res.json() as { tickets: Array<{ code: string; category: string; faultActive: boolean }> };
    return tickets.find((x) => x.code === 'agent.modbus_comm_loss' && !x.faultActive);
  });
  t.equal(ticket.category, 'link');
});

const rig = defineAdapter({
  id: 'test-rig', vendor: 'Test', description: 'writable parameters of every kind', match: { model: '^RIG$' }, unitId: 1,
  registers: [
    holding(0, 'speed_setpoint', { type: 'uint16', scale: 0.1, unit: 'Hz', description: 'FC 6 target', writable: true }),
    holding(2, 'pressure_setpoint', { type: 'float32', unit: 'bar', description: 'FC 16 target', writable: true }),
    holding(4, 'serial_number', { type: 'string', length: 4, unit: '', description: 'text register' }),
    holding(8, 'measured', { type: 'int16', unit: '', description: 'read only' }),
    { name: 'pump_a', table: 'coil', address: 0, type: 'bit', unit: '', description: 'coil', writable: true },
    { name: 'pump_b', table: 'coil', address: 1, type: 'bit', unit: '', description: 'coil', writable: true },
    { name: 'door_open', table: 'discrete', address: 0, type: 'bit', unit: '', description: 'input bit' },
  ],
  faultTables: [], thresholds: [], knowledge: [],
  simulation: { signals: { measured: { base: 7, amplitude: 0, periodS: 1, noise: 0 }, door_open: { base: 1, amplitude: 0, periodS: 1, noise: 0 } }, faultEffects: {}, texts: { serial_number: 'SN-00042' } },
});

t.test('signed writes of writable parameters; everything else refused with a clear error', async (t) => {
  const { collector, stateDir } = await collectorFor(t);
  const sim = await startModbusDevice(rig);
  t.teardown(() => sim.stop());
  const key = 'k3y-for-tests-only-0123456789';
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir,
    devices: [{ id: 'rig-1', site: 'lab', model: 'RIG', firmware: '1', writeKey: key, modbus: { host: sim.host, port: sim.port, intervals: { normal: 200 } } }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger(), adapters: [rig as Adapter] });
  t.teardown(() => agent.stop());
  const client = await watchTopics(t, collector.mqttUrl, 'fl-test-engineer', 'fl/v1/lab/rig-1/rpc/res');
  const answers = new Map<string, RpcResponse>();
  client.on('message', (_t, p) => { const r = decodeRpcResponse(p); answers.set(r.id, r); });
  await waitFor('the agent online', () => (agent.stats('rig-1').polls > 0 ? true : undefined));
  let n = 0;
  const send = async (op: RpcOp, id = `req-${++n}`, deadlineMs = Date.now() + 4000): Promise<RpcResponse> => {
    answers.delete(id);
    await client.publishAsync('fl/v1/lab/rig-1/rpc/req', Buffer.from(encodeRpcRequest({ id, deadlineMs, op })), { qos: 1 });
    return waitFor(`answer to ${id}`, () => answers.get(id));
  };
  const call = (op: RpcOp): Promise<RpcResponse> => send(op);
  /** A write signed with the device's key for exactly this id and deadline. */
  const signedWrite = (values: Array<{ name: string; value: number }>, id = `req-${++n}`) => {
    const deadlineMs = Date.now() + 4000;
    const op: RpcOp = { kind: 'write', values, signature: signWrite(key, 'lab', 'rig-1', id, deadlineMs, values) };
    return { send: () => send(op, id, deadlineMs), op };
  };

  const read = await call({ kind: 'read', names: ['serial_number', 'door_open', 'measured'] });
  t.equal(read.ok, true, read.error?.message ?? 'read ok');
  t.same(read.values.map((v) => [v.parameter, v.text ?? v.value]), [['serial_number', 'SN-00042'], ['measured', 7], ['door_open', 1]], 'text, registers and input bits read live');

  const values = [{ name: 'speed_setpoint', value: 47.5 }, { name: 'pressure_setpoint', value: 6.25 }, { name: 'pump_a', value: 1 }, { name: 'pump_b', value: 1 }];
  const ok = await signedWrite(values).send();
  t.equal(ok.ok, true, ok.error?.message ?? 'write ok');
  t.same(ok.values.map((v) => [v.parameter, Math.round(v.value * 100) / 100]).sort(), [['pressure_setpoint', 6.25], ['pump_a', 1], ['pump_b', 1], ['speed_setpoint', 47.5]], 'the answer is a fresh read-back');
  t.equal(sim.model.valueAt('speed_setpoint', Date.now()), 47.5, 'FC 6 reached the device');
  t.equal(sim.model.valueAt('pressure_setpoint', Date.now()), 6.25, 'FC 16 reached the device');
  t.equal(sim.model.valueAt('pump_b', Date.now()), 1, 'FC 15 reached the device');

  t.equal((await signedWrite([{ name: 'pump_a', value: 0 }]).send()).ok, true, 'FC 5 single coil');
  t.equal(sim.model.valueAt('pump_a', Date.now()), 0);

  const cases: Array<[string, RpcOp, string]> = [
    ['unsigned', { kind: 'write', values: [{ name: 'speed_setpoint', value: 10 }], signature: '' }, 'FL_ERR_RPC_UNAUTHORIZED'],
    ['signed for other values', { ...signedWrite([{ name: 'speed_setpoint', value: 10 }], 'other').op, values: [{ name: 'speed_setpoint', value: 99 }] } as RpcOp, 'FL_ERR_RPC_UNAUTHORIZED'],
    ['unknown parameter', { kind: 'write', values: [{ name: 'nope', value: 1 }], signature: '' }, 'FL_ERR_RPC_UNKNOWN_PARAMETER'],
  ];
  for (const [name, op, code] of cases) {
    const res = await call(op);
    t.equal(res.ok, false, `${name} is refused`);
    t.equal(res.error?.code, code, `${name}: ${res.error?.message}`);
  }
  const readOnly = await signedWrite([{ name: 'measured', value: 1 }]).send();
  t.equal(readOnly.error?.code, 'FL_ERR_RPC_NOT_WRITABLE', `a correctly signed write of a read-only parameter: ${readOnly.error?.message}`);
  t.equal(sim.model.valueAt('speed_setpoint', Date.now()), 47.5, 'no refused write reached the device');
  // A replay of an accepted request (same id, same signature) is refused.
  const once = signedWrite([{ name: 'speed_setpoint', value: 12 }], 'replayed');
  t.equal((await once.send()).ok, true, 'first use accepted');
  const again = await once.send();
  t.equal(again.error?.code, 'FL_ERR_RPC_UNAUTHORIZED', 'the same request twice is a replay');
  t.equal(agent.stats('rig-1').writesRefused, 3, 'refused writes are counted');

  // Strict values (issue #14 item 4): a value the register cannot hold exactly is refused, not rounded.
  const inexact: Array<[string, { name: string; value: number }, RegExp]> = [
    ['a step finer than the scale', { name: 'speed_setpoint', value: 47.55 }, /47\.55.*speed_setpoint.*0\.1/],
    ['a coil set to 2', { name: 'pump_a', value: 2 }, /pump_a.*0 or 1/],
    ['a coil set to 0.5', { name: 'pump_b', value: 0.5 }, /pump_b.*0 or 1/],
  ];
  for (const [what, v, message] of inexact) {
    const res = await signedWrite([v]).send();
    t.equal(res.error?.code, 'FL_ERR_RPC_BAD_VALUE', `${what} is refused`);
    t.match(res.error?.message, message, `${what}: ${res.error?.message}`);
  }
  t.equal(sim.model.valueAt('speed_setpoint', Date.now()), 12, 'nothing rounded reached the device');
  t.equal(sim.model.valueAt('pump_a', Date.now()), 0);
});

t.test('the write-id replay memory survives an agent restart (issue #14 item 3)', async (t) => {
  const { collector, stateDir } = await collectorFor(t);
  const sim = await startModbusDevice(rig);
  t.teardown(() => sim.stop());
  const key = 'k3y-for-tests-only-0123456789';
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl, reconnect: { minMs: 100, maxMs: 500 } },
    stateDir,
    devices: [{ id: 'rig-2', site: 'lab', model: 'RIG', firmware: '1', writeKey: key, modbus: { host: sim.host, port: sim.port, intervals: { normal: 200 } } }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const client = await watchTopics(t, collector.mqttUrl, 'fl-test-replayer', 'fl/v1/lab/rig-2/rpc/res');
  const answers = new Map<string, RpcResponse>();
  client.on('message', (_t, p) => { const r = decodeRpcResponse(p); answers.set(r.id, r); });
  const values = [{ name: 'speed_setpoint', value: 21 }];
  const deadlineMs = Date.now() + 60_000;
  const op: RpcOp = { kind: 'write', values, signature: signWrite(key, 'lab', 'rig-2', 'once-only', deadlineMs, values) };
  let probes = 0;
  const ask = async (id: string, request: RpcOp, waitMs: number): Promise<RpcResponse> => {
    answers.delete(id);
    await client.publishAsync('fl/v1/lab/rig-2/rpc/req', Buffer.from(encodeRpcRequest({ id, deadlineMs, op: request })), { qos: 1 });
    return waitFor(`the answer to ${id}`, () => answers.get(id), waitMs);
  };
  /** Until the agent answers on rpc/req (a describe, which needs no signature). */
  const online = () => waitFor('the agent answering rpc', () => ask(`probe-${++probes}`, { kind: 'describe' }, 500).catch(() => undefined), 10_000, 0);

  const first = await startAgent(config, { log: silentLogger(), adapters: [rig as Adapter] });
  let firstStopped = false;
  t.teardown(() => (firstStopped ? undefined : first.stop()));
  await online();
  const accepted = await ask('once-only', op, 5000);
  t.equal(accepted.ok, true, accepted.error?.message ?? 'first use accepted');
  t.equal(sim.model.valueAt('speed_setpoint', Date.now()), 21, 'the write was applied once');
  sim.model.write('holding', 0, [0]); // an operator changes it at the panel
  firstStopped = true;
  await first.stop();

  const second = await startAgent(config, { log: silentLogger(), adapters: [rig as Adapter] });
  t.teardown(() => second.stop());
  await online();
  const replay = await ask('once-only', op, 5000);
  t.equal(replay.ok, false, 'the captured request replayed after the restart is refused');
  t.equal(replay.error?.code, 'FL_ERR_RPC_UNAUTHORIZED', replay.error?.message ?? '');
  t.equal(sim.model.valueAt('speed_setpoint', Date.now()), 0, 'the panel value stands');
});
