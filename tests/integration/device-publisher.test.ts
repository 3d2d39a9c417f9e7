/**
 * One interface for what the collector sends to devices (collector/broker/device-publisher.ts),
 * in both modes of a running collector: the embedded broker publishes into aedes, cluster mode
 * over the collector's own connection to a real Mosquitto. A device subscribed to its own
 * `receipt` topic gets the bytes at QoS 1 either way; once the collector has stopped, a publish
 * fails with FL_ERR_BROKER_PUBLISH instead of vanishing.
 */
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { FaultlineError } from '../../protocol/errors.js';
import { silentLogger } from '../../protocol/logger.js';
import { startMosquitto } from '../helpers/mosquitto-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const RECEIPT = 'fl/v1/plant-a/drive-1/receipt';

async function deliversToDevice(t: Test, collector: RunningCollector, url: string, protocolVersion: 4 | 5): Promise<void> {
  const device = await mqtt.connectAsync(url, { protocolVersion, clientId: 'fl-plant-a-drive-1', reconnectPeriod: 0 });
  t.teardown(() => device.endAsync(true));
  const got: Array<{ topic: string; payload: string; qos: number }> = [];
  device.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString('hex'), qos: packet.qos }));
  await device.subscribeAsync(RECEIPT, { qos: 1 });
  await collector.devicePublisher.publish(RECEIPT, new Uint8Array([0xca, 0xfe, 0x01]), 1);
  await waitFor('the device to get the receipt', () => (got.length > 0 ? true : undefined), 5000);
  t.same(got, [{ topic: RECEIPT, payload: 'cafe01', qos: 1 }], 'the device got the bytes at QoS 1');
}

async function refusedAfterStop(t: Test, collector: RunningCollector): Promise<void> {
  await collector.stop();
  const err = await collector.devicePublisher.publish(RECEIPT, new Uint8Array([1]), 1).catch((e: unknown) => e);
  t.ok(err instanceof FaultlineError && err.code === 'FL_ERR_BROKER_PUBLISH', 'after stop: FL_ERR_BROKER_PUBLISH');
  t.match((err as Error).message, new RegExp(RECEIPT));
}

t.test('embedded broker: the collector publishes into aedes', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, log: silentLogger(), mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0 });
  t.teardown(() => collector.stop());
  t.equal(collector.brokerMode, 'embedded');
  await deliversToDevice(t, collector, collector.mqttUrl, 4);
  await refusedAfterStop(t, collector);
});

t.test('external broker: the collector publishes over its own connection', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, log: silentLogger(), httpHost: '127.0.0.1', httpPort: 0, broker: { url: broker.url, connections: 1 } });
  t.teardown(() => collector.stop());
  t.equal(collector.brokerMode, 'external');
  t.equal(collector.mqttUrl, broker.url, 'mqttUrl is the external broker');
  await deliversToDevice(t, collector, broker.url, 5);
  await refusedAfterStop(t, collector);
});
