/**
 * A collector that listens on MQTTS only still serves engineers' device requests: its own RPC
 * client reaches the embedded broker in memory, not through a listener. A real agent connects over
 * TLS (trusting the broker's self-signed certificate) and answers a live read from its simulated drive.
 */
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { OPENSSL, testNeeding } from '../helpers/required-tool.js';
import { selfSignedCert } from '../helpers/self-signed-cert.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { callJson } from '../helpers/json-call.js';

testNeeding(OPENSSL, 'MQTTS only: a live read through the API reaches the device', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const { certFile, keyFile } = selfSignedCert(dir.path);
  const lena = await apiCallerIn(dir.path, 'engineer', 'lena');
  const admin = await apiCallerIn(dir.path, 'admin', 'root');
  const collector = await startCollector({
    dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger(),
    mqttPlain: false, mqttTls: { port: 0, certFile, keyFile },
  });
  t.teardown(() => collector.stop());
  t.equal(collector.mqttPort, 0, 'no plain MQTT listener');
  const api = (method: string, path: string, body: unknown, as: { headers: Record<string, string> }) => callJson<Record<string, unknown>>(collector.httpUrl, as, method, path, body);

  const issued = await api('POST', '/api/admin/devices', { site: 'plant-a', device: 'drive-9' }, admin);
  t.equal(issued.status, 200);
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const agent = await startAgent(checkAgentConfig({
    mqtt: { url: `mqtts://localhost:${collector.mqttTlsPort}`, tls: { caFile: certFile }, reconnect: { minMs: 200, maxMs: 1000 } },
    stateDir: `${dir.path}/agent`,
    devices: [{
      id: 'drive-9', site: 'plant-a', model: 'VFD-4000', firmware: '2.3.1', username: issued.body.username, password: issued.body.password,
      modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 }, timeoutMs: 500 },
    }],
    telemetry: { intervalMs: 0 },
  }, 'test'), { log: silentLogger() });
  t.teardown(() => agent.stop());

  await waitFor('the device online over TLS', async () => ((await api('GET', '/api/devices/plant-a/drive-9', undefined, lena)).body.online === true ? true : undefined));
  const live = await api('POST', '/api/devices/plant-a/drive-9/live', { names: ['motor_current'] }, lena);
  t.equal(live.status, 200, JSON.stringify(live.body));
  t.match(live.body, { values: [{ name: 'motor_current', unit: 'A' }] }, 'a fresh value from the drive');
  const health = await (await fetch(`${collector.httpUrl}/api/health`, { headers: admin.headers })).json() as { broker: { clients: number }; deviceRequests: { answered: number } };
  t.equal(health.deviceRequests.answered, 1);
  t.equal(health.broker.clients, 1, 'the collector\'s own in-memory client is not counted as a device');
});
