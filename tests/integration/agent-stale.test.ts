/**
 * Stale quality from the agent (issue #14, item 2), against a real Modbus TCP simulator: one block
 * of the drive (the set points at 0x0100) stops answering. While the poll waits on it (a timeout
 * longer than staleFactor × the poll interval, and no comm-loss yet), the values go out as stale
 * with their last value and why (overdue) instead of staying "fresh" by silence; then the timed-out
 * read gives bad samples; once the block answers again the values are good. The birth tells the
 * collector each parameter's poll interval, the telemetry interval and the stale factor.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { decodeBirth, decodeTelemetry } from '../../protocol/codec.js';
import type { DeviceBirth, Sample } from '../../protocol/values.js';
import { startCollectorWithDrive, watchTopics } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';

t.test('a block that stops answering: stale (last value, overdue) before bad (timeout), good again after', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  const watcher = await watchTopics(t, collector.mqttUrl, 'fl-test-stale', ['fl/v1/plant/drive-9/telemetry', 'fl/v1/plant/drive-9/birth']);
  const samples: Sample[] = [];
  const births: DeviceBirth[] = [];
  watcher.on('message', (topic, p) => {
    if (topic.endsWith('/birth')) births.push(decodeBirth(p));
    else samples.push(...decodeTelemetry(p).samples);
  });

  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-9', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 2000, retries: 0, intervals: { normal: 200 }, failuresBeforeCommLoss: 100, backoffMaxMs: 400 },
    }],
    telemetry: { intervalMs: 100, staleFactor: 2 },
    detection: { chatter: { cycles: 0 } },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());

  const birth = await waitFor('the birth', () => births[0]);
  t.equal(birth.parameters.find((p) => p.name === 'frequency_setpoint')?.pollIntervalMs, 200, 'each parameter with its poll interval');
  t.equal(birth.telemetryIntervalMs, 100, 'the telemetry interval');
  t.equal(birth.staleFactor, 2, 'and the stale factor');

  const good = await waitFor('good set point readings', () => samples.find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good'));
  const before = samples.length;
  sim.mute('holding', 0x0100);
  const stale = await waitFor('a stale set point while the read waits on the silent block', () => samples.slice(before).find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'stale'), 5000);
  const lastGood = samples.slice(0, samples.indexOf(stale)).filter((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good').at(-1) ?? good;
  t.equal(stale.reason, 'overdue', 'why: not read in time');
  t.equal(stale.value, lastGood.value, 'carrying the last good value, marked');
  t.ok(stale.timeMs - lastGood.timeMs > 2 * 200, `judged stale only past 2 × 200 ms (${stale.timeMs - lastGood.timeMs} ms after the last good read)`);
  t.ok(samples.slice(before).some((s) => s.parameter === 'output_frequency' && s.quality === 'stale'), 'the other registers of the waiting poll group too');

  const bad = await waitFor('the timed-out read as bad samples', () => samples.slice(before).find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'bad'), 10_000);
  t.equal(bad.reason, 'timeout');
  t.ok(bad.timeMs > stale.timeMs, 'stale came first, while the device was still being waited for');
  t.notOk(samples.slice(before).some((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good' && s.timeMs > good.timeMs && s.timeMs < bad.timeMs && s.timeMs > stale.timeMs),
    'no unmarked good value while the block is silent');
  t.notOk(agent.recentEvents('drive-9').some((e) => e.code === 'agent.modbus_comm_loss'), 'the link is not declared lost yet');

  sim.unmute();
  await waitFor('good again once the block answers', () => samples.slice(before).find((s) => s.parameter === 'frequency_setpoint' && s.quality === 'good' && s.timeMs > bad.timeMs), 15_000);
});
