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
import { silentLogger } from '../../protocol/logger.js';
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

testNeeding(SOCAT, 'the serial line disappears (a USB adapter unplugged) and comes back: comm loss, then polling resumes by itself (issue #14 item 8)', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const a = join(dir.path, 'ttyUSB0');
  const b = join(dir.path, 'ttyB');
  const plugIn = async (): Promise<{ unplug: () => Promise<void>; slaves: Awaited<ReturnType<typeof startSerialRtuSlaves>> }> => {
    const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    const gone = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
    await waitFor('the pty pair', () => (existsSync(a) && existsSync(b) ? true : undefined), 5000);
    const slaves = await startSerialRtuSlaves(b, 19200, [{ unitId: 1, adapter: vfd }]);
    let unplugged = false;
    const unplug = async (): Promise<void> => {
      if (unplugged) return;
      unplugged = true;
      await slaves.stop();
      socat.kill('SIGKILL');
      await gone;
    };
    t.teardown(unplug);
    return { unplug, slaves };
  };
  let plugged = await plugIn();
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const config = checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'pump-drive-9', site: 'well-3', model: 'VFD-2000', firmware: '1.4',
      modbus: { transport: 'rtu', path: a, baudRate: 19200, parity: 'even', unitId: 1, timeoutMs: 300, intervals: { normal: 200 }, failuresBeforeCommLoss: 2, backoffMaxMs: 500 },
    }],
    telemetry: { intervalMs: 0 },
    detection: { chatter: { cycles: 0 } },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());
  await waitFor('polled over the serial line', () => (plugged.slaves.line.requestsTo(1) >= 3 ? true : undefined));

  await plugged.unplug();
  t.notOk(existsSync(a), 'the device node is gone');
  const lost = await waitFor('comm loss while unplugged', () => agent.recentEvents('pump-drive-9').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'raise'));
  t.equal(lost.category, 'link');
  const errorsWhileOut = agent.stats('pump-drive-9').pollErrors;
  t.ok(errorsWhileOut >= 2, `failed polls counted (${errorsWhileOut}), the agent still runs`);

  plugged = await plugIn();
  await waitFor('polled again after the line came back', () => (plugged.slaves.line.requestsTo(1) >= 3 ? true : undefined), 15_000);
  const cleared = await waitFor('comm loss cleared', () => agent.recentEvents('pump-drive-9').find((e) => e.code === 'agent.modbus_comm_loss' && e.transition === 'clear'), 10_000);
  t.ok(cleared.timeMs > lost.timeMs);
  plugged.slaves.line.slave(1).injectFault(3);
  await waitFor('faults detected again', () => agent.recentEvents('pump-drive-9').find((e) => e.code === 'vfd.undervoltage'));
});
