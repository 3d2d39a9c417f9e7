/**
 * The set-up the agent's integration tests share: a collector on 127.0.0.1 (embedded broker and
 * SQLite in a temp dir, random ports), a simulated Modbus drive (generic-vfd unless told), and
 * MQTT clients that watch the device's topics. Everything started here is stopped (and the temp
 * dir removed) when the test ends.
 */
import { connect, type MqttClient } from 'mqtt';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { startModbusDevice, type SimulatedModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { silentLogger } from '../../protocol/logger.js';
import { tempDir } from './temp-dir.js';

/** What a helper needs of a tap test: somewhere to register clean-up. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface LoopbackCollector {
  /** The temp dir: the collector's data dir; agents keep their state below it. */
  dir: { path: string; remove: () => void };
  collector: RunningCollector;
}

export interface CollectorWithDrive extends LoopbackCollector {
  sim: SimulatedModbusDevice;
}

/** A collector with its defaults (embedded broker, SQLite) on random loopback ports, its data in a fresh temp dir. */
export async function startLoopbackCollector(t: Teardown): Promise<LoopbackCollector> {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  return { dir, collector };
}

/** A loopback collector and a simulated Modbus TCP device built from adapter (generic-vfd by default). */
export async function startCollectorWithDrive(t: Teardown, adapter: Adapter = vfd): Promise<CollectorWithDrive> {
  const { dir, collector } = await startLoopbackCollector(t);
  const sim = await startModbusDevice(adapter);
  t.teardown(() => sim.stop());
  return { dir, collector, sim };
}

/** An MQTT 3.1.1 client of the broker at mqttUrl, connected and subscribed (QoS 1) to topics (none: only connected). */
export async function watchTopics(t: Teardown, mqttUrl: string, clientId: string, topics: string | string[] = []): Promise<MqttClient> {
  const client = connect(mqttUrl, { protocolVersion: 4, clientId, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  await new Promise((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
  return client;
}
