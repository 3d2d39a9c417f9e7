/**
 * Every value carries its quality (issue #14, item 2). A heatsink sensor that reads past its span
 * (0x7FFF, 3276.7 °C: what many drives show for an open or over-range sensor) is not a
 * measurement: it goes out marked, and the "heatsink hot" threshold does not fire on it. A poll
 * the slave does not answer puts bad samples (why: timeout) on the wire instead of silence, so
 * the last good value is never shown unmarked.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { decodeTelemetry } from '../../protocol/codec.js';
import type { Sample } from '../../protocol/values.js';
import { startCollectorWithDrive, watchTopics } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';

t.test('an over-range reading is marked and raises no threshold fault; an unanswered poll gives bad samples, not silence', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t);
  const watcher = await watchTopics(t, collector.mqttUrl, 'fl-test-quality', 'fl/v1/plant/drive-4/telemetry');
  const samples: Sample[] = [];
  watcher.on('message', (_topic, p) => samples.push(...decodeTelemetry(p).samples));

  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-4', site: 'plant', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 300, retries: 0, intervals: { normal: 100 }, failuresBeforeCommLoss: 100, backoffMaxMs: 200 },
    }],
    telemetry: { intervalMs: 200 },
    detection: { chatter: { cycles: 0 } },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('good heatsink readings', () => samples.find((s) => s.parameter === 'heatsink_temperature' && s.quality === 'good'));

  sim.model.force('heatsink_temperature', 3276.7);
  const marked = await waitFor('the over-range reading on the wire', () => samples.find((s) => s.parameter === 'heatsink_temperature' && s.value > 3000));
  t.equal(marked.quality, 'uncertain', 'marked uncertain, not good');
  t.equal(marked.reason, 'out-of-range', 'and why');
  const polls = agent.stats('drive-4').polls;
  await waitFor('3 s of polls past the threshold\'s 2 s on-delay', () => (agent.stats('drive-4').polls >= polls + 30 ? true : undefined));
  t.notOk(agent.recentEvents('drive-4').some((e) => e.code === 'vfd.heatsink_hot'), 'no threshold fault on a reading that is not a measurement');
  sim.model.force('heatsink_temperature', 88);
  await waitFor('a real 88 °C does raise it', () => agent.recentEvents('drive-4').find((e) => e.code === 'vfd.heatsink_hot'), 10_000);
  sim.model.release('heatsink_temperature');

  const before = samples.length;
  sim.pause();
  const bad = await waitFor('bad samples while the slave does not answer', () => samples.slice(before).find((s) => s.parameter === 'output_frequency' && s.quality === 'bad'));
  t.equal(bad.reason, 'timeout', 'why: timeout');
  t.notOk(samples.slice(before).some((s) => s.parameter === 'output_frequency' && s.quality === 'good' && s.timeMs > bad.timeMs), 'no good value after it while paused');
  sim.resume();
  await waitFor('good again after resume', () => samples.slice(before).find((s) => s.parameter === 'output_frequency' && s.quality === 'good' && s.timeMs > bad.timeMs));
});
