/**
 * A broker that does not let the device subscribe to its receipt topic (here the embedded aedes
 * broker with the subscription rule of a collector older than receipts: only `rpc/req`): the agent
 * says so at error level, with the fix, and falls back to deleting events on their PUBACK for that
 * connection instead of keeping them for a receipt that cannot come. (A Mosquitto `acl_file` grants
 * such a subscription and silently delivers nothing: `delivery.receipts: false` is the fix there.)
 */
import t from 'tap';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { capturedLog } from '../helpers/captured-log.js';

t.test('the receipt subscription refused: logged with the fix, events deleted on their PUBACK on that connection', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const ingested: string[] = [];
  const broker = new MqttBroker({
    host: '127.0.0.1', port: 0, log: silentLogger(),
    ingest: async (topic) => { ingested.push(topic); },
    hooks: {
      preConnect: (_client, _packet, done) => done(null, true),
      authenticate: (_client, _username, _password, done) => done(null, true),
      checkPublish: () => null,
      // an older collector's rule: a device may subscribe to its rpc/req only
      authorizeSubscribe: (_client, sub, done) => done(null, sub.topic.endsWith('/rpc/req') ? sub : null), // SUBACK 0x80 for the rest
    },
  });
  await broker.start();
  t.teardown(() => broker.stop());
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const { log, text: logged } = capturedLog();
  const config = checkAgentConfig({
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}` },
    stateDir: `${dir.path}/agent`,
    devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1', modbus: { host: sim.host, port: sim.port, intervals: { normal: 100 } } }],
    telemetry: { intervalMs: 0 },
  }, 'test');
  const agent = await startAgent(config, { log });
  t.teardown(() => agent.stop());
  await waitFor('the refusal logged', () => (/cannot subscribe to receipts/.test(logged()) ? true : undefined), 10_000);
  const line = logged().split('\n').find((l) => l.includes('cannot subscribe to receipts')) ?? '';
  t.match(line, /"level":50/, 'at error level');
  t.match(line, /delivery\.receipts/, 'with the fix');
  sim.model.injectFault(1);
  await waitFor('the overcurrent raised', () => agent.recentEvents('drive-1').find((e) => e.code === 'vfd.overcurrent'));
  await waitFor('deleted on its PUBACK', () => (agent.stats('drive-1').eventsPublished >= 1 && agent.stats('drive-1').eventsPending === 0 ? true : undefined));
  t.ok(ingested.includes('fl/v1/plant/drive-1/event'), 'the broker took it');
  t.equal(agent.stats('drive-1').eventsUnreceipted, 0, 'nothing kept for a receipt that cannot come');
});
