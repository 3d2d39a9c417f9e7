/**
 * A device that stays silent for registers it lacks (issue #14, item 1, the timeout half): many
 * drives and serial gateways send no reply at all, instead of exception 02, to a read that touches
 * a register they do not implement. A generic-vfd simulator that never answers reads touching
 * 256–257 must not blind the agent: the other block of the poll group keeps flowing as good
 * telemetry, no comm_loss is raised (the link is fine), and after a few polls the two silent
 * registers are read alone once and marked unsupported (exception code 0: no reply), so that
 * the timeouts stop; a re-probe finds them again once the device answers. The same behind an
 * RTU-over-TCP gateway, where the other slave on the shared line keeps its polls.
 */
import { connect, type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice, type SimulatedModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { startRtuGateway } from '../../firmware-adapters/simulator/rtu-gateway.js';
import { decodeStatus, decodeTelemetry } from '../../protocol/codec.js';
import type { AgentStatus, Sample } from '../../protocol/values.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

const IMPLEMENTED = ['output_frequency', 'motor_current', 'dc_bus_voltage', 'heatsink_temperature', 'run_state', 'fault_code', 'output_power', 'run_hours'];
const SILENT = ['accel_time', 'frequency_setpoint'];

/** A collector and a simulated generic-vfd, both torn down with the test. */
async function plant(t: Test): Promise<{ dir: ReturnType<typeof tempDir>; collector: RunningCollector; sim: SimulatedModbusDevice }> {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  return { dir, collector, sim };
}

t.test('no reply for two registers: the rest keeps flowing as good, no comm_loss, the two end up unsupported and the timeouts stop', async (t) => {
  const { dir, collector, sim } = await plant(t);
  sim.mute('holding', 256);
  sim.mute('holding', 257);

  const watcher: MqttClient = connect(collector.mqttUrl, { protocolVersion: 4, clientId: 'fl-test-silent', reconnectPeriod: 0 });
  t.teardown(() => watcher.endAsync(true));
  await new Promise((r) => watcher.once('connect', r));
  await watcher.subscribeAsync(['fl/v1/plant/drive-s/telemetry', 'fl/v1/plant/drive-s/status'], { qos: 1 });
  const samples: Sample[] = [];
  const statuses: AgentStatus[] = [];
  watcher.on('message', (topic, p) => {
    if (topic.endsWith('/telemetry')) samples.push(...decodeTelemetry(p).samples);
    else statuses.push(decodeStatus(p));
  });

  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-s', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 300, retries: 1, intervals: { normal: 100 }, failuresBeforeCommLoss: 2, reprobeMs: 4000 },
    }],
    telemetry: { intervalMs: 200 },
    status: { intervalMs: 1000 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());

  // While the block at 256 times out, the block at 0 keeps giving good values.
  const good = await waitFor('good telemetry of every implemented register', () => {
    const names = new Set(samples.filter((s) => s.quality === 'good').map((s) => s.parameter));
    return IMPLEMENTED.every((n) => names.has(n)) ? names : undefined;
  }, 10_000);
  t.ok(SILENT.every((n) => !good.has(n)), 'never a good value for a silent register');
  const timedOut = await waitFor('the silent block as bad samples, reason timeout', () => samples.find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'bad' && s.reason === 'timeout'));
  t.ok(timedOut, 'the silent registers go out bad (timeout), not as 0 or the last value');

  // A few polls later they are read alone once, stay silent, and are marked unsupported.
  const status = await waitFor('a status naming the silent registers unsupported', () => statuses.find((s) => s.unsupported.length === 2), 10_000);
  t.same(status.unsupported.map((u) => [u.parameter, u.exceptionCode]).sort(), SILENT.map((n) => [n, 0]), 'both, with exception code 0: no reply');
  t.ok(status.pollTimeouts >= 4, `timeouts counted per request (${status.pollTimeouts})`);
  t.equal(status.pollExceptions, 0, 'no exception replies');
  t.ok(samples.some((s) => s.parameter === 'accel_time' && s.quality === 'bad' && s.reason === 'unsupported'), 'a bad sample says unsupported');
  const stats = agent.stats('drive-s');
  t.equal(stats.pollErrors, 0, 'no poll failed: the other block answered every time');
  t.notOk(agent.recentEvents('drive-s').some((e) => e.code === 'agent.modbus_comm_loss'), 'no comm_loss: the link was fine');

  // Once unsupported, the silent registers leave the plan: no timeout per poll any more.
  const before = agent.stats('drive-s');
  await waitFor('ten more polls', () => (agent.stats('drive-s').polls >= before.polls + 10 ? true : undefined));
  const after = agent.stats('drive-s');
  t.ok(after.modbus!.timeouts - before.modbus!.timeouts <= 4, `at most one re-probe of each (retries 1) in ten polls: ${after.modbus!.timeouts - before.modbus!.timeouts} timeouts`);
  const lastGood = samples.filter((s) => s.parameter === 'output_frequency' && s.quality === 'good').at(-1);
  t.ok(lastGood && lastGood.timeMs > status.timeMs, 'good values keep coming after the marking');

  const { headers } = await apiCallerIn(dir.path, 'viewer');
  const shown = await waitFor('the collector shows them on the device', async () => {
    const body = await (await fetch(`${collector.httpUrl}/api/devices/plant/drive-s`, { headers })).json() as { status: { unsupported?: Array<{ parameter: string; exceptionCode: number }> } | null };
    return body.status?.unsupported?.length === 2 ? body.status.unsupported : undefined;
  });
  t.same(shown.map((u) => `${u.parameter}:${u.exceptionCode}`).sort(), ['accel_time:0', 'frequency_setpoint:0'], 'GET /api/devices/:site/:device lists them');

  // A live read of every parameter: the silent ones are asked alone and come back bad (timeout), the rest good.
  const engineer = await apiCallerIn(dir.path, 'engineer', 'erin');
  const live = await fetch(`${collector.httpUrl}/api/devices/plant/drive-s/live`, {
    method: 'POST', headers: { ...engineer.headers, 'content-type': 'application/json' }, body: '{}',
  });
  const liveBody = await live.json() as { values: Array<{ name: string; quality: string; reason?: string }> };
  t.equal(live.status, 200, JSON.stringify(liveBody));
  t.same(liveBody.values.filter((v) => SILENT.includes(v.name)).map((v) => `${v.name}:${v.quality}:${v.reason}`).sort(), SILENT.map((n) => `${n}:bad:timeout`));
  t.ok(IMPLEMENTED.every((n) => liveBody.values.some((v) => v.name === n && v.quality === 'good')), 'the rest good');

  // The device answers again (e.g. after a firmware update): the next re-probe finds them.
  sim.unmute();
  await waitFor('frequency_setpoint good again after a re-probe', () => samples.find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good'), 15_000);
  await waitFor('nothing unsupported any more', () => (agent.stats('drive-s').unsupported.length === 0 ? true : undefined), 10_000);
  t.equal(agent.stats('drive-s').pollErrors, 0, 'still no failed poll');
  t.notOk(agent.recentEvents('drive-s').some((e) => e.code === 'agent.modbus_comm_loss'), 'never a comm_loss');
});

t.test('a device silent for every register is a link failure: comm_loss and back-off, nothing marked unsupported', async (t) => {
  const { dir, collector, sim } = await plant(t);
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-d', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 200, retries: 1, intervals: { normal: 100 }, failuresBeforeCommLoss: 2, backoffMaxMs: 300, reprobeMs: 1000 },
    }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('a few good polls', () => (agent.stats('drive-d').polls >= 3 ? true : undefined));
  for (const r of vfd.registers) sim.mute('holding', r.address);
  const lost = await waitFor('comm loss', () => agent.recentEvents('drive-d').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'raise'));
  t.equal(lost.category, 'link');
  await waitFor('several failed polls', () => (agent.stats('drive-d').pollErrors >= 4 ? true : undefined), 15_000);
  const s = agent.stats('drive-d');
  t.same(s.unsupported, [], 'silence from the whole device marks no register unsupported');
  t.ok(s.pollsSkipped > 0, `backed off (${s.pollsSkipped} polls skipped)`);
  // A dead link costs at most two blocks' timeouts a poll: the first block (with its retry), then one ask of the next.
  t.ok(s.modbus!.timeouts <= s.pollErrors * 3 + 3, `timeouts ${s.modbus!.timeouts} for ${s.pollErrors} failed polls`);
  sim.unmute();
  await waitFor('comm loss cleared', () => agent.recentEvents('drive-d').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'clear'), 10_000);
  t.same(agent.stats('drive-d').unsupported, [], 'still nothing unsupported');
});

t.test('behind an RTU gateway: one slave silent for two registers, the other slave on the line unaffected', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const gw = await startRtuGateway([1, 2].map((unitId) => ({ unitId, adapter: vfd })));
  t.teardown(() => gw.stop());
  gw.slave(1).mute('holding', 256);
  gw.slave(1).mute('holding', 257);
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [1, 2].map((u) => ({
      id: `rtu-${u}`, site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      // Slave 1's silence costs 200 ms timeouts; slave 2 gets more room, so that a stall of this
      // loaded test process (the gateway simulator runs in it) is not taken for a timeout of its own.
      modbus: { transport: 'rtu-over-tcp', host: gw.host, port: gw.port, unitId: u, timeoutMs: u === 1 ? 200 : 1000, retries: 1, intervals: { normal: 100 }, failuresBeforeCommLoss: 2 },
    })),
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('slave 1: both silent registers unsupported', () => (agent.stats('rtu-1').unsupported.length === 2 ? true : undefined), 15_000);
  t.same(agent.stats('rtu-1').unsupported.map((u) => [u.parameter, u.exceptionCode]).sort(), SILENT.map((n) => [n, 0]));
  const before = { one: agent.stats('rtu-1').polls, two: agent.stats('rtu-2').polls };
  await waitFor('ten more polls of each slave', () => (agent.stats('rtu-1').polls >= before.one + 10 && agent.stats('rtu-2').polls >= before.two + 10 ? true : undefined));
  for (const id of ['rtu-1', 'rtu-2']) {
    const s = agent.stats(id);
    t.equal(s.pollErrors, 0, `${id}: no failed poll`);
    t.notOk(agent.recentEvents(id).some((e) => e.code === 'agent.modbus_comm_loss'), `${id}: no comm_loss`);
  }
  t.same(agent.stats('rtu-2').unsupported, [], 'slave 2 lacks nothing');
  t.equal(agent.stats('rtu-2').modbus!.timeouts, 0, 'slave 2 never timed out');
});
