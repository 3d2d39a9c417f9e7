/**
 * Unsupported registers on the device page, in real headless Chromium against a real stack
 * (issue #14, item 1): a drive that answers exception 02 for one register and never answers
 * another (a read touching either gets no reply; alone, 256 raises the exception and 257 stays
 * silent). Both end up unsupported: the page says "not supported (exception 02)" for the one and
 * "not supported (no reply)" for the other, with why in its hint, in English and Chinese, while
 * the rest of the drive's values are shown good.
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { waitFor } from '../helpers/wait.js';
import { startBrowserStack } from './browser-stack.js';

t.setTimeout(120_000);

t.test('an exception-refused register and a silent one, both shown unsupported with why', async (t) => {
  const stack = await startBrowserStack({ device: false });
  t.teardown(() => stack.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  sim.model.refuse('holding', 256, 2);
  sim.mute('holding', 257);
  const agent = await startAgent(checkAgentConfig({
    mqtt: { url: stack.collector.mqttUrl },
    stateDir: `${stack.dataDir}/agent-silent`,
    devices: [{
      id: 'drive-q', site: 'plant-q', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sim.host, port: sim.port, timeoutMs: 300, intervals: { normal: 100 } },
    }],
    telemetry: { intervalMs: 200 },
    status: { intervalMs: 1000 },
  }, 'browser-test'), { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('both registers unsupported on the agent', () => (agent.stats('drive-q').unsupported.length === 2 ? true : undefined), 20_000);

  const { page } = await stack.login('viewer');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.baseUrl}/devices/plant-q/drive-q`);
  const refused = page.locator('[data-testid="unsupported-frequency_setpoint"]');
  const silent = page.locator('[data-testid="unsupported-accel_time"]');
  await silent.waitFor({ timeout: 20_000 });
  t.equal(await refused.textContent(), 'not supported (exception 02)', 'the refused register, with its exception');
  t.equal(await silent.textContent(), 'not supported (no reply)', 'the silent one: no reply');
  t.match(await silent.getAttribute('title'), /never answers this register, not even alone/, 'the hint says why');
  t.equal(await silent.getAttribute('data-code'), '0');
  await waitFor('a good value of a register the drive answers', async () => ((await page.locator('[data-testid="latest-output_frequency"]').getAttribute('data-quality')) === 'good' ? true : undefined), 20_000, 200);
  t.pass('the other registers are shown good');
  await page.click('[data-testid=lang-toggle]');
  await waitFor('the Chinese words', async () => ((await silent.textContent()) === '不支持（无应答）' ? true : undefined), 10_000, 200);
  t.equal(await refused.textContent(), '不支持（异常 02）');
  t.same(errors, [], 'no page errors');
});
