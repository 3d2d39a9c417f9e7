/**
 * Fault-to-publish latency: from the Modbus poll that sees a fault code to the event arriving at
 * an MQTT subscriber of the collector's broker (so: detection, encoding, publish, commit and
 * forwarding), including the fsync of the agent's durable outbox. `cycles` faults are injected and cleared against a real agent polling every
 * 20 ms; bounded in count and time. Prints p50/p99/max; asserts nothing.
 */
import { connect } from 'mqtt';
import { startAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { decodeFaultEvent } from '../../protocol/codec.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

export async function runFaultLatencyBench(cycles = 150): Promise<void> {
  const dir = tempDir('faultline-bench-');
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  const sim = await startModbusDevice(vfd);
  const agent = await startAgent(checkAgentConfig({
    mqtt: { url: collector.mqttUrl },
    stateDir: `${dir.path}/agent`,
    devices: [{ id: 'lat-1', site: 'bench', model: 'VFD-4000', firmware: '2.0', modbus: { host: sim.host, port: sim.port, intervals: { normal: 20 } } }],
    telemetry: { intervalMs: 0 },
    // The bench flips faults far faster than any real input; chatter suppression would (rightly) swallow them.
    detection: { chatter: { cycles: 0 } },
  }, 'bench'), { log: silentLogger() });
  const sub = connect(collector.mqttUrl, { clientId: 'bench-latency-sub', protocolVersion: 4, reconnectPeriod: 0 });
  const latencies: number[] = [];
  let received = 0;
  try {
    await new Promise((r) => sub.once('connect', r));
    await sub.subscribeAsync('fl/v1/bench/lat-1/event', { qos: 1 });
    sub.on('message', (_t, payload) => {
      const now = Date.now();
      const e = decodeFaultEvent(payload);
      // Every sample of one poll carries the poll's time; the newest in the snapshot is the poll that saw the fault.
      const seenAt = e.snapshot.reduce<number | undefined>((m, s) => (m === undefined || s.timeMs > m ? s.timeMs : m), undefined);
      if (seenAt !== undefined) latencies.push(now - seenAt);
      received++;
    });
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < cycles && Date.now() < deadline; i++) {
      sim.model.injectFault(1 + (i % 8));
      await waitFor('raise', () => (received >= 2 * i + 1 ? true : undefined), 5000, 2);
      sim.model.clearFault();
      await waitFor('clear', () => (received >= 2 * i + 2 ? true : undefined), 5000, 2);
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
    process.stdout.write(`fault-to-publish latency (poll that saw it -> event at a broker subscriber, committed first), 20 ms polls:\n`);
    process.stdout.write(`  n=${latencies.length}  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  max ${latencies.at(-1)} ms  (ms resolution)\n`);
  } finally {
    await sub.endAsync(true);
    await agent.stop();
    await sim.stop();
    await collector.stop();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runFaultLatencyBench();
