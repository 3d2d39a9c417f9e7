/**
 * GET /metrics on a real collector: ingest's batch sizes, commit times and arrival-to-commit
 * latency as Prometheus histograms, fed by events published over MQTT on loopback.
 */
import mqtt from 'mqtt';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { faultEvent } from '../helpers/delivery-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const EVENTS = 40;

t.test('ingest histograms count every batch and every stored message', async (t) => {
  const dir = tempDir('faultline-metrics-');
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const { headers } = await apiCallerIn(dir.path, 'viewer', 'prometheus');
  const client = await mqtt.connectAsync(collector.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  await Promise.all(Array.from({ length: EVENTS }, (_, i) =>
    client.publishAsync('fl/v1/plant-m/drive-1/event', Buffer.from(encodeFaultEvent(faultEvent('plant-m', 'drive-1', i + 1))), { qos: 1 })));

  const res = await fetch(`${collector.httpUrl}/metrics`, { headers });
  t.equal(res.status, 200);
  const text = await res.text();
  const value = (name: string): number => Number(new RegExp(`^${name.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  t.equal(value('faultline_ingest_latency_seconds_count'), EVENTS, 'one latency observation per stored event');
  t.equal(value('faultline_ingest_batch_size_sum'), EVENTS, 'the batches hold every event once');
  const batches = value('faultline_ingest_batch_size_count');
  t.ok(batches >= 1 && batches <= EVENTS, `${batches} transactions for ${EVENTS} events`);
  t.equal(value('faultline_ingest_commit_seconds_count'), batches, 'one commit time per transaction');
  t.equal(value('faultline_ingest_latency_seconds_bucket{le="+Inf"}'), EVENTS);
  t.equal(value('faultline_ingest_events_committed_total'), EVENTS);
});
