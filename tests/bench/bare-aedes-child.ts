/**
 * Child process for the ingest bench's reference run: a bare aedes broker (no hooks) with one
 * QoS 1 subscriber in the same process, as the collector has its store in its process.
 * Parent → child: {expect: n} before a run; child → parent: {ready: port}, then {done: epochMs}
 * when the subscriber has received n messages.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

const aedes = await Aedes.createBroker();
const server = createServer({ noDelay: true }, aedes.handle);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const port = (server.address() as AddressInfo).port;
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-subscriber', protocolVersion: 4, reconnectPeriod: 0 });
(sub.stream as unknown as Socket).setNoDelay(true);
await sub.subscribeAsync('fl/v1/+/+/event', { qos: 1 });

let expected = Number.POSITIVE_INFINITY;
let received = 0;
sub.on('message', () => {
  received++;
  if (received === expected) process.send?.({ done: Date.now() });
});
process.on('message', (m: { expect?: number }) => {
  if (typeof m.expect === 'number') {
    received = 0;
    expected = m.expect;
  }
});
process.on('SIGTERM', () => {
  void sub.endAsync().then(() => aedes.close(() => server.close(() => process.exit(0))));
});
process.send?.({ ready: port });
