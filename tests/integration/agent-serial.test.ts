/**
 * Modbus RTU over a real serial line: socat joins two pseudo-terminals; simulated slaves answer
 * on one end, the agent polls the other through modbus-serial + serialport. `.ci/run` installs
 * socat (Debian package); without it this test cannot run and says so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../bin/log.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startSerialRtuSlaves } from '../../firmware-adapters/simulator/rtu-serial-line.js';
import { SOCAT, testNeeding } from '../helpers/required-tool.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

testNeeding(SOCAT, 'two slaves on one serial line, polled over RTU', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const a = join(dir.path, 'ttyA');
  const b = join(dir.path, 'ttyB');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  t.teardown(() => { socat.kill(); });
  await waitFor('the pty pair', () => (existsSync(a) && existsSync(b) ? true : undefined), 5000);

  const slaves = await startSerialRtuSlaves(b, 19200, [{ unitId: 1, adapter: vfd }, { unitId: 2, adapter: vfd }]);
  t.teardown(() => slaves.stop());
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [1, 2].map((u) => ({
      id: `pump-drive-${u}`, site: 'well-3', model: 'VFD-2000', firmware: '1.4',
      modbus: { transport: 'rtu', path: a, baudRate: 19200, parity: 'even', unitId: u, timeoutMs: 300, intervals: { normal: 200 } },
    })),
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());

  await waitFor('both slaves polled over the serial line', () => ([1, 2].every((u) => slaves.line.requestsTo(u) >= 3 && agent.stats(`pump-drive-${u}`).polls >= 3) ? true : undefined));
  slaves.line.slave(2).injectFault(2);
  const e = await waitFor('the overvoltage from slave 2', () => agent.recentEvents('pump-drive-2').find((x) => x.code === 'vfd.overvoltage'));
  t.equal(e.transition, 'raise');
  t.ok(e.snapshot.some((s) => s.parameter === 'dc_bus_voltage'), 'decoded over RTU into the snapshot');
  t.notOk(agent.recentEvents('pump-drive-1').some((x) => x.code === 'vfd.overvoltage'), 'slave 1 is not confused with slave 2');
  t.equal(agent.stats('pump-drive-1').pollErrors, 0, 'no errors on a healthy line');
});
