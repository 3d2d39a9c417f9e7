/**
 * A device that lacks some registers (issue #14, item 1): a generic-vfd simulator answering
 * Modbus exception 02 (illegal data address) for 256–257 must not blind the agent. The rest of
 * the registers keep flowing as telemetry and faults, the missing ones are marked unsupported
 * (in the status message) and re-probed, and comm_loss is raised only when the link itself
 * fails (here: a gateway answering 0x0B "target failed to respond" for everything).
 */
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { decodeStatus, decodeTelemetry } from '../../protocol/codec.js';
import type { AgentStatus, Sample } from '../../protocol/values.js';
import { startCollectorWithDrive, watchTopics } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn } from '../helpers/api-auth.js';

t.test('exception 02 on two registers: the rest keeps flowing, the two are marked unsupported and re-probed, no comm_loss', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  sim.model.refuse('holding', 256, 2);
  sim.model.refuse('holding', 257, 2);

  const watcher = await watchTopics(t, collector.mqttUrl, 'fl-test-watcher', ['fl/v1/plant/drive-1/telemetry', 'fl/v1/plant/drive-1/status']);
  const samples: Sample[] = [];
  const statuses: AgentStatus[] = [];
  watcher.on('message', (topic, p) => {
    if (topic.endsWith('/telemetry')) samples.push(...decodeTelemetry(p).samples);
    else statuses.push(decodeStatus(p));
  });

  const logFile = `${dir.path}/drive.log`;
  writeFileSync(logFile, `short line\n${'x'.repeat(2000)}\n`);
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 500, intervals: { normal: 100 }, failuresBeforeCommLoss: 2, reprobeMs: 1500 },
      logs: [{ path: logFile, format: 'plain', startAt: 'beginning', maxLineBytes: 256 }],
    }],
    telemetry: { intervalMs: 200 },
    status: { intervalMs: 1000 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());

  await waitFor('ten polls', () => (agent.stats('drive-1').polls >= 10 ? true : undefined));
  const good = await waitFor('good telemetry of the implemented registers', () => {
    const names = new Set(samples.filter((s) => s.quality === 'good').map((s) => s.parameter));
    return ['output_frequency', 'motor_current', 'heatsink_temperature', 'run_hours'].every((n) => names.has(n)) ? names : undefined;
  });
  t.notOk(good.has('frequency_setpoint'), 'no good value for a register the device refuses');
  t.notOk(samples.some((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good'), 'never reported as a good value (not as 0 either)');
  t.equal(agent.stats('drive-1').pollErrors, 0, 'an exception on one register is not a failed poll');

  sim.model.injectFault(1);
  const fault = await waitFor('the overcurrent fault', () => agent.recentEvents('drive-1').find((e) => e.code === 'vfd.overcurrent' && e.transition === 'raise'));
  t.equal(fault.category, 'hardware', 'faults are still detected');
  sim.model.clearFault();

  const status = await waitFor('a status naming the unsupported registers', () => statuses.find((s) => s.unsupported.length > 0));
  t.same(status.unsupported.map((u) => [u.parameter, u.exceptionCode]).sort(), [['accel_time', 2], ['frequency_setpoint', 2]], 'both registers, with the exception code');
  t.same(agent.stats('drive-1').unsupported.map((u) => u.parameter).sort(), ['accel_time', 'frequency_setpoint']);
  // Self-metrics in the same status message.
  t.ok(status.polls > 0 && status.polls <= agent.stats('drive-1').polls, `polls counted (${status.polls})`);
  t.ok(status.pollExceptions >= 2, `exception replies counted by kind (${status.pollExceptions})`);
  t.equal(status.pollTimeouts, 0, 'no timeouts');
  t.equal(status.pollLinkErrors, 0, 'no link errors');
  t.equal(status.logLinesClipped, 1, 'the 2000-byte log line was clipped at 256 bytes, and counted');
  t.ok(status.outboxOldestAgeS >= 0 && status.outboxOldestAgeS < 60, `outbox oldest age ${status.outboxOldestAgeS} s`);
  const { headers } = await apiCallerIn(dir.path, 'viewer');
  const shown = await waitFor('the collector shows them on the device', async () => {
    const body = await (await fetch(`${collector.httpUrl}/api/devices/plant/drive-1`, { headers })).json() as { status: { unsupported?: Array<{ parameter: string; exceptionCode: number }> } | null };
    return body.status?.unsupported?.length ? body.status.unsupported : undefined;
  });
  t.same(shown.map((u) => `${u.parameter}:${u.exceptionCode}`).sort(), ['accel_time:2', 'frequency_setpoint:2'], 'GET /api/devices/:site/:device lists the unsupported registers');

  // The device gains the registers (e.g. a firmware update): the next re-probe finds them.
  const requestsBefore = sim.requests;
  sim.model.accept();
  await waitFor('frequency_setpoint good again after a re-probe', () => samples.find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good'), 10_000);
  t.ok(sim.requests > requestsBefore, 'the device was asked again');
  await waitFor('no register unsupported any more', () => (agent.stats('drive-1').unsupported.length === 0 ? true : undefined));
  await waitFor('a status with nothing unsupported', () => (statuses.at(-1)?.unsupported.length === 0 ? true : undefined), 5000);
  t.notOk(agent.recentEvents('drive-1').some((e) => e.code === 'agent.modbus_comm_loss'), 'never a comm_loss: the link was fine all along');
});

t.test('a gateway answering 0x0B (target failed to respond) for every register is a link failure: comm_loss, nothing marked unsupported', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-2', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 500, intervals: { normal: 100 }, failuresBeforeCommLoss: 2, backoffMaxMs: 200 },
    }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('a few polls', () => (agent.stats('drive-2').polls >= 3 ? true : undefined));
  for (const r of vfd.registers) for (let i = 0; i < (r.type === 'uint32' || r.type === 'float32' ? 2 : 1); i++) sim.model.refuse('holding', r.address + i, 0x0b);
  const lost = await waitFor('comm loss', () => agent.recentEvents('drive-2').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'raise'));
  t.equal(lost.category, 'link');
  t.same(agent.stats('drive-2').unsupported, [], 'a gateway exception does not mark registers unsupported');
  sim.model.accept();
  await waitFor('comm loss cleared', () => agent.recentEvents('drive-2').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'clear'), 10_000);
});
