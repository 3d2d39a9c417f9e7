/**
 * An inline register map (issue #14): a device no adapter describes, its registers and a
 * threshold written in the agent config, polled over Modbus TCP from a simulator built from
 * the same map; its values flow and its threshold raises a fault.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { inlineAdapter } from '../../agent/config/inline-adapter.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollectorWithDrive } from '../helpers/collector-with-drive.js';
import { waitFor } from '../helpers/wait.js';

const registers = [
  { name: 'water_temperature', table: 'input', address: 0, type: 'int16', scale: 0.1, unit: '°C', description: 'Water temperature' },
  { name: 'burner_hours', table: 'input', address: 1, type: 'uint32', wordOrder: 'little', unit: 'h', description: 'Burner hours' },
];
const thresholds = [{
  code: 'boiler.water_hot', parameter: 'water_temperature', direction: 'above', limit: 95, deadband: 3, onDelayMs: 0, offDelayMs: 0,
  category: 'hardware', severity: 'major', message: 'Water above 95 °C', remedy: 'Check the burner control.', related: ['water_temperature'],
}];

t.test('a device described only by an inline register map is polled and judged', async (t) => {
  const { dir, collector, sim } = await startCollectorWithDrive(t, inlineAdapter({ id: 'boiler-1', site: 'plant', model: 'HOMEMADE-1', registers, thresholds, modbus: { unitId: 1 } }));
  sim.model.force('water_temperature', 71.5);
  sim.model.force('burner_hours', 70_000);
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{ id: 'boiler-1', site: 'plant', model: 'HOMEMADE-1', firmware: '1', modbus: { host: sim.host, port: sim.port, unitId: 1, intervals: { normal: 100 } }, registers, thresholds }],
    telemetry: { intervalMs: 0 },
    detection: { chatter: { cycles: 0 } },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('polled', () => (agent.stats('boiler-1').polls >= 3 ? true : undefined));
  t.equal(agent.stats('boiler-1').pollErrors, 0);
  sim.model.force('water_temperature', 97);
  const e = await waitFor('the inline threshold raised', () => agent.recentEvents('boiler-1').find((x) => x.code === 'boiler.water_hot'));
  t.equal(e.adapterId, 'inline-plant-boiler-1');
  t.ok(e.snapshot.some((s) => s.parameter === 'water_temperature' && s.value === 97 && s.quality === 'good'), 'decoded with the inline scale');
  t.ok(e.snapshot.some((s) => s.parameter === 'water_temperature' && s.value === 71.5), 'the window before it too');
});
